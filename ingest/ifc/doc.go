// Package ifc reads the spatial structure of IFC files (IFC2X3, IFC4,
// IFC4X1–IFC4X3, STEP clear text) as features: the site, buildings,
// storeys and spaces, with plan footprints in WGS84, floor levels,
// storey elevations and heights, and the floor areas of the quantity
// sets, so that a model feeds the planning rules (FAR) directly.
//
// # Reading
//
// NewReader reads the whole file with the step package and keeps every
// instance by id: the models cim reads are a few megabytes (the 4 MB
// Office A model takes about 30 ms). A reference to an id the file does
// not define is an error (ErrDangling) wherever it is, so that a broken
// file is refused whole rather than read in part. The length and area
// units of the project's IfcUnitAssignment (IfcSIUnit with a prefix,
// IfcConversionBasedUnit such as the foot) are converted to metres.
//
// # Spatial tree
//
// IfcProject → IfcSite → IfcBuilding → IfcBuildingStorey → IfcSpace
// through IfcRelAggregates; spaces and floor slabs (IfcSlab FLOOR or
// BASESLAB by its own PredefinedType, else its IfcSlabType's) are also
// taken from IfcRelContainedInSpatialStructure, and
// buildings aggregated by the project itself. Features, parents first:
//
//   - a site is cim.ClassSite when it has a plan shape, else ClassOther
//     (Kind "site") placed as a point at its origin: an IFC site without a
//     boundary is not a planning site;
//   - a building (ClassBuilding, Parent the site) has as footprint the
//     plan of its ground storey, else of the storey nearest it that has
//     a floor (slabs or spaces), else its own shape, else a point;
//     LevelsAbove/LevelsBelow count its storeys that have a floor;
//   - a storey (ClassStorey, Parent the building) has as geometry its
//     floor slabs, as the model draws them (to the walls' outer faces,
//     or to their cores: compare the storey's gross_floor_area_m2 where
//     the file gives one); left out are a slab lying on others (a finish
//     floor on the structural slab), a slab no space stands on (a
//     terrace), and slabs that cover less than 90 % of the storey's
//     spaces (a landing), each with a warning; a partial overlap of the
//     slabs kept is warned of and counted twice. Else the MultiPolygon of
//     its spaces (their net plan); else its own shape, else a point.
//     footprint_source says which; slab_area_m2 and space_area_m2 are the two areas. Storeys are numbered by
//     elevation: the lowest at or above the building's origin is level 0,
//     those below negative. Elevations come from the placements (storey
//     z less building z), or from the Elevation attributes where all the
//     placements are at one height. Vertical.ElevationM is the height
//     above level 0, StoreyHeightM the step to the next storey up (the
//     top storey has none);
//   - a space (ClassSpace, Parent the storey) is on its storey's level.
//
// Ids are "ifc:" and the GlobalId. Props hold Name, Description,
// ObjectType and LongName as the file has them, ifc_type, and for spaces
// net_floor_area_m2, gross_floor_area_m2 and gsa_bim_area_m2 from the
// quantity sets (IfcElementQuantity: Qto_SpaceBaseQuantities over
// BaseQuantities over vendor sets; "GSA BIM Area" stands for the net
// area where no NetFloorArea is given), geometric_floor_area_m2 from the
// footprint, footprint_source, and floor_area_difference_pct, the
// geometric area less the quantity-set area over the latter, which
// floor_area_basis names (gross_floor_area_m2, net_floor_area_m2 or
// gsa_bim_area_m2). Spaces
// where that exceeds AreaTolerance (2 %) are counted in one warning that
// gives the range. Revit exports disagree by design: their room area is
// measured to the wall centre or core while the room's body stops at
// the finish face (duplex.ifc's living room A102: body 4.783 × 5.783 m,
// 27.66 m², perimeter 21.13 m; Revit 30.14 m², perimeter 22.03 m).
//
// # Geometry
//
// Placements (IfcLocalPlacement, IfcAxis2Placement3D/2D, RefDirection
// orthogonalised to Axis) are composed along PlacementRelTo; a cycle is
// an error. A product's plan comes from its "FootPrint" representation
// (closed curves), else its "Body": IfcExtrudedAreaSolid profiles
// (rectangle, circle, arbitrary closed with IfcPolyline,
// IfcIndexedPolyCurve or IfcCompositeCurve, with voids) placed and
// projected on the floor; IfcMappedItem and the first operand of
// boolean results are followed. Boundary representations and face sets
// (IfcFacetedBrep, IfcShellBasedSurfaceModel, IfcFaceBasedSurfaceModel,
// IfcPolygonalFaceSet, IfcTriangulatedFaceSet) give their single lowest
// horizontal face, else the convex hull of their vertices — a first
// version that overstates concave shapes. Arcs become chords.
//
// # Georeferencing
//
// Options.Anchor, where given, places the model: the origin of its
// project coordinates at the anchor's longitude and latitude, its +y
// axis turned by the anchor's rotation. It overrides the file's own
// georeferencing, which a warning then names: authoring tools write a
// location whether or not the user set one. Else, in order: an
// IfcMapConversion to an IfcProjectedCRS that crs knows
// (Scale, project units to map units, may carry a grid scale factor
// within 10 % of 1; omitted, it means a change of units only, as Revit
// writes it; the reciprocal, as in buildingSMART's UTM sample, is read as
// such with a warning; one that fits neither way is taken as 1 with a
// warning; IfcMapConversionScaled is read, its per-axis factors not
// applied but warned of where they are not 1);
// else the first site's RefLatitude/RefLongitude, taken to lie at the
// site's origin, with the model context's TrueNorth, mapped by geodesics
// from that point (cim.Destination). A site at an authoring tool's
// default location (Revit's Boston, as Office A carries it, or the
// Chicago of the Revit duplex's "Default" site) is read, with a warning
// that says to pass --anchor; one at 0, 0 is taken as unset. A file with
// no georeferencing and no anchor is refused with ErrNoGeoref, whose
// message names --anchor.
//
// # Errors
//
// Errors are *Error, located by line, column and byte offset like the
// step package's, whose sentinels they wrap for syntax errors and
// truncated files; ErrSchema, ErrDangling, ErrModel and ErrNoGeoref are
// this package's.
package ifc
