// Package plan checks a site against planning rules: it measures the
// planning indicators of the site, its parcels and the stations near it
// from a store snapshot, and checks them against a rule pack.
//
// # Stage view
//
// A check reads one scheme at one stage. The Selection names the dataset
// that holds the scheme (its buildings, storeys, spaces, green and parcels)
// and the planning stage; from the snapshot, Check reads the features
// within a margin of the site (the station search radius, the walk, the
// service radii) and keeps one version of each feature, the one that stage
// sees (see Selection). Stations, facilities and roads come from every
// dataset: an OpenStreetMap extract of the city around is the context.
// What it reads becomes a scene: buildings with their storeys (slabs, each
// counted in full or in half by its height, GB/T 50353-2013), green by
// kind with its credit, stations and their entrances, services by
// facility, and the walkable road network.
//
// # Indicators
//
// Indicators are measured for the site and for each parcel in it, on the
// WGS84 ellipsoid, from the part of each feature inside the area:
// counted and underground GFA, FAR (容积率, GFA over land area), the union
// of footprints and building density (建筑密度), the union of ground green
// and the green ratio (绿地率, GB 50180-2018 A.0.2), roof, vertical and
// balcony green and the 3D composite green ratio (立体复合绿化率), the
// largest park and park per resident, heights and storeys, average
// residential storeys (平均层数), the share of homes within the walk to
// transit, and per facility the share of homes within its radius, along
// the walkable roads where there are any. The homes of an area are the
// ones its residential GFA counts: every residential building with
// counted GFA in the area, weighted by that GFA, its walks measured from a
// point of its part in the area (its centroid where that lies in the
// area, else a point inside footprint ∩ area, cim.PointInside). A
// building straddling the boundary is a home of the site even with its
// centre outside, so the shares describe the homes of
// residential_gfa_m2, in the site and in each parcel. Each station within reach gets
// the FAR of the site within each TOD ring and whether the site is denser
// near the hub (大疏大密). Indicators name the features that contribute
// most (Contributors), and each has an English and a Chinese label
// (Params.IndicatorLabel: "FAR", "容积率").
//
// # Packs
//
// A rule pack (Pack, YAML) holds the definitions a jurisdiction uses
// (Params: how floor area counts, green credits, TOD rings, what counts as
// a station, a home or a facility, service radii, default site attributes),
// lookup tables (GB 50180-2018 Table 4.0.2 by climate zone and storeys) and
// rules. A rule compares one indicator, in the site, each parcel or each
// station, with a limit: a number, yes/no, a property of the site or parcel
// (its planning controls, far_max) or a table cell; it has a severity, a
// reference to the standard and clause, an English title and a Chinese
// label (label_zh). Two packs are built in: gb50180-2018 and
// zj-future-community (浙政发〔2019〕8号).
//
// # Reports
//
// Check returns a Report: the indicators of the site, its parcels and
// stations, one Result per rule and scope (pass, fail or not applicable,
// with the value, the limit and where it came from, and the features that
// weigh most), counts, notes and the store revision read. Passed is false
// when an error-severity rule fails. The report is written three ways:
// WriteJSON (a stable form: fields are added, never renamed; labels in
// indicator_labels, label_zh and indicator_zh), WriteTable (for a
// terminal, columns aligned by display width so Chinese lines up) and
// WriteHTML (one self-contained page in English and Chinese to mail or
// print: the verdict and a summary of the key indicators first, then the
// failures, a map of the site, the results and the indicators; its
// template is report.html.tmpl, embedded). CheckSites checks several sites
// at once from one snapshot.
//
// # Over HTTP, and what-ifs
//
// CheckHandler serves the viewer's check, IndicatorsHandler the report as
// cim check --format json writes it (GET /sites/{id}/indicators, with an
// ETag of the revision). WhatIfHandler answers POST /check, a what-if for
// a designer's sketch: DecodeWhatIf reads the site (drawn, or a stored
// one's id) and the proposed features, decoded as cim ingest decodes
// GeoJSON, and Check reads them through Selection.Extra and
// Selection.Hide, laid over the snapshot's view in memory (the stored
// features a proposal replaces hidden with what they hold). Nothing is
// written: the server counts the route as a read.
package plan
