-- FAR, building density and green ratio of sites, computed in PostGIS the
-- way cim check defines them (plan), on an osm2pgsql -k import
-- (planet_osm_polygon in EPSG:3857 with an hstore "tags" column).
-- Areas are ST_Area(geography) of ST_Intersection / ST_Union in EPSG:4326.
--
-- Input: a table cim_sites(id text, g geometry(Polygon/MultiPolygon, 4326)).
-- Output: one row per site: id, site_area_m2, gfa_m2, far, footprint_m2,
-- building_density, green_m2, green_ratio.
--
-- Definitions (kept in step with plan and ingest/osmtags):
-- * buildings: polygons with building <> 'no'. Storeys: building:levels
--   (a plain number, rounded); else round((height − min_height) / 3 m),
--   at least 1; else 1. GFA = Σ area(footprint ∩ site) × storeys (overlaps
--   are not dissolved); density = area(∪ footprints with storeys > 0 ∩ site).
-- * ground green: polygons whose leisure, landuse or natural value is
--   green (the list in ingest/osmtags), that are not something cim ranks
--   first (a building, building:part, indoor room, transit stop, facility
--   amenity, healthcare, shop, coworking office), and that are not on a
--   roof (location=roof|rooftop, roof:garden=yes, or every level ≥ 1) or
--   wholly underground (every level < 0). Green ratio = area(∪ green ∩ site).

CREATE OR REPLACE FUNCTION pg_temp.num(s text) RETURNS numeric LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN s ~ '^\s*[0-9]+(\.[0-9]+)?\s*(m)?\s*$' THEN regexp_replace(s, '[^0-9.]', '', 'g')::numeric END $$;

CREATE TEMP TABLE cim_b AS
SELECT ST_Transform(way, 4326) AS g,
       CASE WHEN pg_temp.num(tags -> 'building:levels') IS NOT NULL AND (tags -> 'building:levels') !~ 'm'
              THEN round(pg_temp.num(tags -> 'building:levels'))
            WHEN pg_temp.num(tags -> 'height') > 0
              THEN greatest(1, round((pg_temp.num(tags -> 'height') - coalesce(pg_temp.num(tags -> 'min_height'), 0)) / 3))
            ELSE 1 END AS levels
FROM planet_osm_polygon
WHERE building IS NOT NULL AND building <> 'no';
CREATE INDEX ON cim_b USING gist (g);

CREATE TEMP TABLE cim_g AS
SELECT ST_Transform(way, 4326) AS g
FROM planet_osm_polygon p
WHERE (leisure IN ('park','garden','playground','nature_reserve','recreation_ground','dog_park')
    OR landuse IN ('grass','forest','meadow','recreation_ground','village_green','orchard','allotments','flowerbed')
    OR "natural" IN ('wood','scrub','grassland','heath','tree_row','tree'))
  AND (building IS NULL OR building = 'no')
  AND coalesce(tags -> 'building:part', 'no') = 'no'
  AND coalesce(tags -> 'indoor', '') NOT IN ('room','area','corridor','level')
  AND coalesce(railway, '') NOT IN ('station','halt','subway_entrance','train_station_entrance','tram_stop','platform')
  AND coalesce(public_transport, '') NOT IN ('station','platform','stop_position')
  AND coalesce(highway, '') NOT IN ('bus_stop','platform')
  AND coalesce(amenity, '') NOT IN ('bus_station','ferry_terminal',
      'kindergarten','childcare','school','college','university','clinic','hospital','doctors','dentist','pharmacy',
      'social_facility','community_centre','social_centre','library','charging_station','parking','bicycle_parking',
      'marketplace','post_office','police','fire_station','townhall','bank','arts_centre','theatre','cinema',
      'place_of_worship','toilets','nursing_home','baby_hatch','canteen','food_court','restaurant','cafe',
      'fast_food','recycling','veterinary')
  AND coalesce(tags -> 'healthcare', 'no') = 'no'
  AND coalesce(shop, 'no') = 'no'
  AND coalesce(office, '') <> 'coworking'
  AND coalesce(tags -> 'location', '') NOT IN ('roof','rooftop')
  AND coalesce(tags -> 'roof:garden', '') <> 'yes'
  AND NOT coalesce((SELECT min(x::numeric) >= 1 OR max(x::numeric) < 0
                    FROM regexp_split_to_table(tags -> 'level', '\s*(;|(?<=[0-9])\s*-)\s*') AS x
                    WHERE x ~ '^-?[0-9]+(\.[0-9]+)?$'), false);
CREATE INDEX ON cim_g USING gist (g);

\copy (SELECT s.id, round(ST_Area(s.g::geography)::numeric, 3) AS site_area_m2, round(coalesce(b.gfa, 0)::numeric, 3) AS gfa_m2, round((coalesce(b.gfa, 0) / ST_Area(s.g::geography))::numeric, 6) AS far, round(coalesce(d.fp, 0)::numeric, 3) AS footprint_m2, round((coalesce(d.fp, 0) / ST_Area(s.g::geography))::numeric, 6) AS building_density, round(coalesce(gr.a, 0)::numeric, 3) AS green_m2, round((coalesce(gr.a, 0) / ST_Area(s.g::geography))::numeric, 6) AS green_ratio FROM cim_sites s LEFT JOIN LATERAL (SELECT sum(ST_Area(ST_Intersection(b.g, s.g)::geography) * b.levels) AS gfa FROM cim_b b WHERE ST_Intersects(b.g, s.g)) b ON true LEFT JOIN LATERAL (SELECT ST_Area(ST_Intersection(ST_Union(b.g), s.g)::geography) AS fp FROM cim_b b WHERE b.levels > 0 AND ST_Intersects(b.g, s.g)) d ON true LEFT JOIN LATERAL (SELECT ST_Area(ST_Intersection(ST_Union(g.g), s.g)::geography) AS a FROM cim_g g WHERE ST_Intersects(g.g, s.g)) gr ON true ORDER BY s.id) TO STDOUT WITH CSV HEADER
