// Package samples bundles a future-community pilot scheme around a metro
// station in Hangzhou, authored as GeoJSON for cim: a site with its planning
// limits, parcels, buildings (some with explicit storeys, rooms and a
// basement), ground and roof green, the station and bus stops, and roads.
// README.md in this directory describes it and its planning indicators;
// gen/make_sample.py generates it.
package samples

import (
	"embed"
	"io/fs"
)

//go:embed *.geojson
var files embed.FS

// Dataset is the dataset name the demo loads the scheme into.
const Dataset = "hz-future-community"

// City is the dataset of the existing city around the scheme (the
// station, a bus stop, the roads around the site): the sample's as-built
// features, which name it in their cim:dataset property.
const City = "hz-city"

// FS returns the sample files: GeoJSON FeatureCollections at the root.
func FS() fs.FS { return files }

// Names lists the sample files in load order.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
