package main

import "runtime/debug"

// buildVersion returns cim's module version ("v0.4.0", a pseudo-version,
// or "(devel)") and the commit it was built from, shortened, with "+dirty"
// when the tree had changes; empty where the binary does not say.
func buildVersion() (version, revision string) {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "", ""
	}
	version = bi.Main.Version
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if len(revision) > 12 {
		revision = revision[:12]
	}
	if dirty && revision != "" {
		revision += "+dirty"
	}
	return version, revision
}
