// Package samples bundles a future-community pilot scheme around a metro
// station in Hangzhou, authored as GeoJSON for cim: a site with its planning
// limits, parcels, buildings (some with explicit storeys, rooms and a
// basement), ground and roof green, the station and bus stops, and roads.
// README.md in this directory describes it and its planning indicators;
// gen/make_sample.py generates it.
package samples

import (
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/index"
	"github.com/future-community/cim/ingest/geojson"
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

// Load puts the whole sample into a batch, replacing an earlier load of
// it: the scheme in Dataset at the planning stage, and the city's as-built
// features in City (by their cim:dataset and cim:stage properties).
func Load(b *index.Batch) error {
	b.Describe("ingest the bundled sample")
	b.ReplaceDataset(Dataset)
	b.ReplaceDataset(City)
	for _, name := range Names() {
		if err := loadFile(b, name); err != nil {
			return fmt.Errorf("sample %s: %w", name, err)
		}
	}
	return nil
}

func loadFile(b *index.Batch, name string) error {
	f, err := files.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := geojson.NewReader(f.(io.Reader), geojson.Options{
		Dataset: Dataset, Stage: cim.StagePlanning, Name: "samples/" + name,
	})
	if err != nil {
		return err
	}
	for {
		feat, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := b.Put(feat); err != nil {
			return err
		}
	}
}

// Ingest loads the sample into s in one batch (Load) and commits it.
func Ingest(s *index.Store) error {
	b, err := s.Begin()
	if err != nil {
		return err
	}
	if err := Load(b); err != nil {
		return errors.Join(err, b.Abort())
	}
	_, err = b.Commit()
	return err
}
