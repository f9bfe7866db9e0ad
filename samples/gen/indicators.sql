-- Planning indicators of the cim sample scheme, computed with PostGIS.
--
-- Expects the tables that check_indicators.sh loads with ogr2ogr (one per
-- GeoJSON file, geometry column geom in EPSG:4326, property names kept as
-- they are, e.g. "cim:class", "building:levels"): site, buildings, storeys,
-- green, transit, roads, facilities.
--
-- Areas are ellipsoidal: ST_Area(geom::geography) on WGS84. Clipping is done
-- on the lon/lat geometry (ST_Intersection, ST_Union); over a few hundred
-- metres a straight lon/lat edge and the geodesic differ by micrometres.
-- TOD circles are geodesic: 720 points ST_Project-ed from the station.
--
-- Leaves the results in table ind(ord, name, value); check_indicators.sh
-- writes them to indicators.csv.

\set ON_ERROR_STOP 1
SET client_min_messages = warning;

-- 1. Geometry checks: every geometry valid, polygons oriented as RFC 7946
--    says (exterior counter-clockwise, holes clockwise), ids unique per file.
DROP TABLE IF EXISTS allgeom;
CREATE TABLE allgeom AS
      SELECT 'site' AS file, id, geom FROM site
UNION ALL SELECT 'buildings', id, geom FROM buildings
UNION ALL SELECT 'storeys', id, geom FROM storeys
UNION ALL SELECT 'green', id, geom FROM green
UNION ALL SELECT 'transit', id, geom FROM transit
UNION ALL SELECT 'roads', id, geom FROM roads
UNION ALL SELECT 'facilities', id, geom FROM facilities;

DO $$
DECLARE r record; bad int := 0;
BEGIN
  FOR r IN SELECT file, id, ST_IsValidReason(geom) AS why FROM allgeom WHERE NOT ST_IsValid(geom) LOOP
    RAISE WARNING 'invalid geometry: %/% (%)', r.file, r.id, r.why; bad := bad + 1;
  END LOOP;
  FOR r IN SELECT file, id FROM allgeom
           WHERE GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON') AND NOT ST_IsPolygonCCW(geom) LOOP
    RAISE WARNING 'ring orientation is not RFC 7946: %/%', r.file, r.id; bad := bad + 1;
  END LOOP;
  FOR r IN SELECT file, id FROM allgeom GROUP BY file, id HAVING count(*) > 1 LOOP
    RAISE WARNING 'duplicate id: %/%', r.file, r.id; bad := bad + 1;
  END LOOP;
  IF bad > 0 THEN RAISE EXCEPTION '% geometry problems', bad; END IF;
END $$;
SELECT count(*) AS nfeat FROM allgeom \gset
\echo :nfeat 'features: all geometries valid, polygons oriented as RFC 7946, ids unique per file'

-- 2. Building blocks.
CREATE OR REPLACE FUNCTION pg_temp.m2(g geometry) RETURNS float8
  LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(ST_Area(g::geography), 0) $$;

-- A geodesic circle of radius r metres about point c: n points, closed.
CREATE OR REPLACE FUNCTION pg_temp.geocircle(c geometry, r float8, n int DEFAULT 720) RETURNS geometry
  LANGUAGE sql IMMUTABLE AS $$
  SELECT ST_ForcePolygonCCW(ST_MakePolygon(ST_AddPoint(l, ST_StartPoint(l))))
  FROM (SELECT ST_MakeLine(ST_Project(c::geography, r, radians(360.0 * i / n))::geometry ORDER BY i) AS l
        FROM generate_series(0, n - 1) AS i) q $$;

DROP TABLE IF EXISTS s, b, bg, gg, st, ind;
CREATE TABLE s AS SELECT geom, population FROM site WHERE "cim:class" = 'site';
-- Planning-stage buildings; bg are those with floors above ground.
CREATE TABLE b AS
  SELECT b.id, b.building, b."building:levels" AS lv,
         coalesce(b."building:levels:underground", 0) AS ulv, b.height,
         b.geom, ST_Intersection(b.geom, s.geom) AS gin
  FROM buildings b, s WHERE b."cim:stage" = 'planning';
CREATE TABLE bg AS SELECT * FROM b WHERE lv > 0;
-- Ground green: parks, gardens, playgrounds, grass; not roofs, not lines.
CREATE TABLE gg AS
  SELECT id, geom FROM green
  WHERE GeometryType(geom) IN ('POLYGON', 'MULTIPOLYGON')
    AND coalesce(location, '') <> 'roof'
    AND (leisure IN ('park', 'garden', 'playground') OR landuse = 'grass');
-- Design-stage storeys, clipped to the site.
CREATE TABLE st AS
  SELECT st."cim:parent" AS parent, st.level::numeric AS level, st."cim:storey_height" AS h,
         pg_temp.m2(ST_Intersection(st.geom, s.geom)) AS a
  FROM storeys st, s WHERE st."cim:class" = 'storey' AND st."cim:stage" = 'design';

CREATE TABLE ind (ord serial, name text, value float8);
CREATE OR REPLACE FUNCTION pg_temp.put(n text, v float8) RETURNS void
  LANGUAGE sql AS $$ INSERT INTO ind (name, value) VALUES (n, v) $$;

-- 3. Site, density, FAR.
SELECT pg_temp.put('site_area_m2', pg_temp.m2(geom)) FROM s;
SELECT pg_temp.put('site_area_ha', pg_temp.m2(geom) / 1e4) FROM s;
SELECT pg_temp.put('building_count', count(*)) FROM b;
SELECT pg_temp.put('building_count_above_ground', count(*)) FROM bg;
SELECT pg_temp.put('footprint_sum_in_site_m2', sum(pg_temp.m2(gin))) FROM bg;
SELECT pg_temp.put('footprint_union_in_site_m2', pg_temp.m2(ST_Intersection(ST_Union(bg.geom), s.geom)))
  FROM bg, s GROUP BY s.geom;
SELECT pg_temp.put('building_density', (SELECT value FROM ind WHERE name = 'footprint_union_in_site_m2')
                                     / (SELECT value FROM ind WHERE name = 'site_area_m2'));
SELECT pg_temp.put('gfa_planning_m2', sum(lv * pg_temp.m2(gin))) FROM bg;
SELECT pg_temp.put('far_planning', (SELECT value FROM ind WHERE name = 'gfa_planning_m2')
                                 / (SELECT value FROM ind WHERE name = 'site_area_m2'));
SELECT pg_temp.put('gfa_underground_planning_m2', sum(ulv * pg_temp.m2(gin))) FROM b;

-- Design stage: buildings with storeys count their storeys (level >= 0;
-- storey height >= 2.20 m full, < 2.20 m half, GB/T 50353-2013) instead of
-- footprint x levels; their basements (level < 0) replace footprint x
-- underground levels.
SELECT pg_temp.put('gfa_design_' || replace(parent, '-', '_') || '_m2',
                   sum(CASE WHEN level < 0 THEN 0 WHEN h >= 2.20 THEN a ELSE a / 2 END))
  FROM st GROUP BY parent ORDER BY parent DESC;
WITH sd AS (
  SELECT parent,
         sum(CASE WHEN level < 0 THEN 0 WHEN h >= 2.20 THEN a ELSE a / 2 END) AS above,
         sum(CASE WHEN level < 0 THEN a ELSE 0 END) AS below
  FROM st GROUP BY parent),
repl AS (
  SELECT sum(sd.above - b.lv * pg_temp.m2(b.gin)) AS d_above,
         sum(sd.below - b.ulv * pg_temp.m2(b.gin)) AS d_below
  FROM sd JOIN b ON b.id = sd.parent)
SELECT pg_temp.put('gfa_design_m2', (SELECT value FROM ind WHERE name = 'gfa_planning_m2') + d_above),
       pg_temp.put('far_design', ((SELECT value FROM ind WHERE name = 'gfa_planning_m2') + d_above)
                                 / (SELECT value FROM ind WHERE name = 'site_area_m2')),
       pg_temp.put('gfa_underground_design_m2',
                   (SELECT value FROM ind WHERE name = 'gfa_underground_planning_m2') + d_below)
  FROM repl;

-- 4. Green (GB 50180-2018: the union of ground green within the site; roof
--    gardens of ordinary buildings do not count) and the Hangzhou 3D ratio.
SELECT pg_temp.put('green_ground_sum_m2', sum(pg_temp.m2(geom))) FROM gg;
SELECT pg_temp.put('green_ground_union_in_site_m2', pg_temp.m2(ST_Intersection(ST_Union(gg.geom), s.geom)))
  FROM gg, s GROUP BY s.geom;
SELECT pg_temp.put('green_ratio', (SELECT value FROM ind WHERE name = 'green_ground_union_in_site_m2')
                                / (SELECT value FROM ind WHERE name = 'site_area_m2'));
SELECT pg_temp.put('roof_garden_m2', sum(pg_temp.m2(geom))) FROM green WHERE location = 'roof';
SELECT pg_temp.put('roof_garden_credited_m2', sum(pg_temp.m2(geom) * CASE
         WHEN "roof:soil_depth" >= 1.5 THEN 1.0 WHEN "roof:soil_depth" >= 1.0 THEN 0.8
         WHEN "roof:soil_depth" >= 0.5 THEN 0.5 WHEN "roof:soil_depth" >= 0.3 THEN 0.3
         WHEN "roof:soil_depth" >= 0.1 THEN 0.1 ELSE 0 END))
  FROM green WHERE location = 'roof';
SELECT pg_temp.put('vertical_green_m2', sum("cim:green_area_m2")) FROM green WHERE "cim:green" = 'vertical';
SELECT pg_temp.put('green_ratio_3d_hangzhou',
  ((SELECT value FROM ind WHERE name = 'green_ground_union_in_site_m2')
   + (SELECT value FROM ind WHERE name = 'roof_garden_credited_m2')
   + 0.2 * (SELECT value FROM ind WHERE name = 'vertical_green_m2'))
  / (SELECT value FROM ind WHERE name = 'site_area_m2'));

-- 5. TOD rings about the station: planning massing, GFA of each building
--    prorated by its footprint area (within the site) inside the circle.
DROP TABLE IF EXISTS tod;
CREATE TABLE tod AS
  SELECT r, pg_temp.geocircle(t.geom, r) AS c
  FROM transit t, (VALUES (300), (500), (800)) AS v(r)
  WHERE t.railway = 'station';
DO $$ BEGIN
  IF (SELECT count(*) FROM tod) <> 3 THEN RAISE EXCEPTION 'want exactly one station'; END IF;
END $$;
SELECT pg_temp.put('tod_' || r || '_' || k, v) FROM (
  SELECT tod.r, x.k, x.v, x.o FROM tod, s,
    LATERAL (SELECT pg_temp.m2(ST_Intersection(tod.c, s.geom)) AS a,
                    (SELECT sum(bg.lv * pg_temp.m2(ST_Intersection(bg.gin, tod.c))) FROM bg) AS g) q,
    LATERAL (VALUES (1, 'area_m2', q.a), (2, 'gfa_m2', q.g), (3, 'far', q.g / q.a)) AS x(o, k, v)
  ORDER BY tod.r, x.o) z;

-- 6. Parcels (planning): FAR, building density, green ratio.
SELECT pg_temp.put(replace(p.id, '-', '_') || '_' || x.k, x.v) FROM (
  SELECT p.id,
         pg_temp.m2(p.geom) AS a,
         (SELECT sum(bg.lv * pg_temp.m2(ST_Intersection(bg.gin, p.geom))) FROM bg) AS g,
         (SELECT pg_temp.m2(ST_Intersection(ST_Union(bg.gin), p.geom)) FROM bg) AS f,
         (SELECT pg_temp.m2(ST_Intersection(ST_Intersection(ST_Union(gg.geom), s.geom), p.geom)) FROM gg) AS gr
  FROM site p, s WHERE p."cim:class" = 'parcel') p,
  LATERAL (VALUES (1, 'area_m2', p.a), (2, 'gfa_m2', p.g), (3, 'far', p.g / p.a),
                  (4, 'building_density', p.f / p.a), (5, 'green_ratio', p.gr / p.a)) AS x(o, k, v)
  ORDER BY p.id, x.o;

-- 7. Heights, residents.
SELECT pg_temp.put('height_max_m', max(height)) FROM bg;
SELECT pg_temp.put('levels_max', max(lv)) FROM bg;
SELECT pg_temp.put('gfa_residential_m2', sum(lv * pg_temp.m2(gin))) FROM bg
  WHERE building IN ('residential', 'apartments');
SELECT pg_temp.put('population', population) FROM s;
SELECT pg_temp.put('park_m2_per_person', pg_temp.m2(g.geom) / s.population) FROM green g, s WHERE g.id = 'g-park-1';
