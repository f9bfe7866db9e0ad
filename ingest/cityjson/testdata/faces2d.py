#!/usr/bin/env python3
"""Writes the faces of each CityObject's footprint geometry, projected onto
the plane, as GeoJSON in the file's own CRS, for an independent union with
GDAL/SpatiaLite:

    python3 faces2d.py in.city.json > /tmp/faces.geojson
    ogrinfo -ro -q -dialect sqlite -sql "SELECT id, ST_Area(ST_Union(geometry)) AS area FROM faces GROUP BY id" /tmp/faces.geojson

The geometry is chosen as the cityjson package documents: LoD0 surfaces;
else the GroundSurface faces of the lowest LoD that has them; else all
faces of the lowest LoD. Faces that project to no area are left out."""
import json, sys

doc = json.load(open(sys.argv[1]))
tf = doc.get("transform")
verts = doc["vertices"]

def xy(i):
    v = verts[i]
    if tf:
        return [v[k] * tf["scale"][k] + tf["translate"][k] for k in range(2)]
    return v[:2]

def faces(g):
    """Yields (rings, ground) for each surface of a geometry."""
    t, b = g["type"], g["boundaries"]
    sem = g.get("semantics") or {}
    surf, vals = sem.get("surfaces", []), sem.get("values")
    def ground(*path):
        v = vals
        for p in path:
            if not isinstance(v, list) or p >= len(v):
                return False
            v = v[p]
        return isinstance(v, int) and surf[v]["type"] == "GroundSurface"
    if t in ("MultiSurface", "CompositeSurface"):
        for i, s in enumerate(b):
            yield s, ground(i)
    elif t == "Solid":
        for sh, shell in enumerate(b):
            for i, s in enumerate(shell):
                yield s, ground(sh, i)
    elif t in ("MultiSolid", "CompositeSolid"):
        for so, solid in enumerate(b):
            for sh, shell in enumerate(solid):
                for i, s in enumerate(shell):
                    yield s, ground(so, sh, i)

def area(ring):
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1)) / 2

def lod(g):
    return float(g.get("lod", "inf"))

out = []
for oid, o in doc["CityObjects"].items():
    gs = [g for g in o.get("geometry", []) if list(faces(g))]
    if not gs:
        continue
    lod0 = [g for g in gs if lod(g) < 1]
    grounds = [g for g in gs if any(gr for _, gr in faces(g))]
    if lod0:
        sel = [r for r, _ in faces(min(lod0, key=lod))]
    elif grounds:
        sel = [r for r, gr in faces(min(grounds, key=lod)) if gr]
    else:
        sel = [r for r, _ in faces(min(gs, key=lod))]
    for s in sel:
        rings = [[xy(i) for i in r + r[:1]] for r in s]
        if area(rings[0]) == 0:
            continue
        out.append({"type": "Feature", "properties": {"id": oid}, "geometry": {"type": "Polygon", "coordinates": rings}})
json.dump({"type": "FeatureCollection", "name": "faces", "features": out}, sys.stdout)
