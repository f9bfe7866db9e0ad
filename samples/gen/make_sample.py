#!/usr/bin/env python3
"""Generate the cim sample scheme: a Zhejiang "Future Community" (未来社区)
pilot around a metro station in Hangzhou.

The scheme is designed in local metres: x east and y north of the station,
which is the origin. Every footprint, parcel and green space is an
axis-aligned rectangle, an L of two rectangles, or a rectangle with
rectangular holes, so every area can be checked with a pocket calculator.
Metres become WGS84 longitude/latitude with the ellipsoid's radii of
curvature at the origin latitude (meridional M, prime vertical N):

    lon = lon0 + deg(x / (N cos lat0)),   lat = lat0 + deg(y / M)

rounded to 7 decimals (about 1 cm).

Run from anywhere (Python 3 standard library only):

    python3 samples/gen/make_sample.py          # writes samples/*.geojson
                                                # and samples/gen/indicators_hand.csv,
                                                # prints the hand calculation
    python3 samples/gen/make_sample.py --check  # only verify the files are current

The output is deterministic: the same bytes on every run.
"""

import json
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)  # samples/

# ---------------------------------------------------------------------------
# Georeference
# ---------------------------------------------------------------------------

LON0, LAT0 = 120.2100, 30.2550  # the station (origin), Hangzhou
WGS84_A = 6378137.0
WGS84_F = 1 / 298.257223563
_E2 = WGS84_F * (2 - WGS84_F)
_S = math.sin(math.radians(LAT0))
N_RAD = WGS84_A / math.sqrt(1 - _E2 * _S * _S)                 # prime vertical
M_RAD = WGS84_A * (1 - _E2) / (1 - _E2 * _S * _S) ** 1.5        # meridional


def lonlat(x, y):
    lon = LON0 + math.degrees(x / (N_RAD * math.cos(math.radians(LAT0))))
    lat = LAT0 + math.degrees(y / M_RAD)
    return (round(lon, 7), round(lat, 7))


# ---------------------------------------------------------------------------
# Shapes in metres
# ---------------------------------------------------------------------------

def rect(x0, y0, x1, y1):
    assert x0 < x1 and y0 < y1
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def signed_area(ring):
    s = 0.0
    for i in range(len(ring)):
        x0, y0 = ring[i]
        x1, y1 = ring[(i + 1) % len(ring)]
        s += x0 * y1 - x1 * y0
    return s / 2


class Poly:
    """A polygon in metres: an outer ring and holes, rings not closed."""

    def __init__(self, outer, holes=()):
        self.outer = list(outer)
        self.holes = [list(h) for h in holes]

    def rings(self):
        """Rings oriented for RFC 7946: outer CCW, holes CW, closed."""
        out = []
        for i, r in enumerate([self.outer] + self.holes):
            a = signed_area(r)
            if (i == 0 and a < 0) or (i > 0 and a > 0):
                r = r[::-1]
            out.append(r + [r[0]])
        return out

    def coords(self):
        return [v for r in [self.outer] + self.holes for v in r]

    def contains(self, p):
        if not _in_ring(self.outer, p):
            return False
        return not any(_in_ring(h, p) for h in self.holes)

    def area(self):
        return abs(signed_area(self.outer)) - sum(abs(signed_area(h)) for h in self.holes)


def _in_ring(ring, p):
    x, y = p
    inside = False
    n = len(ring)
    for i in range(n):
        x0, y0 = ring[i]
        x1, y1 = ring[(i + 1) % n]
        if (y0 > y) != (y1 > y):
            xi = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
            if x < xi:
                inside = not inside
    return inside


def R(x0, y0, x1, y1, holes=()):
    return Poly(rect(x0, y0, x1, y1), [rect(*h) for h in holes])


# ---------------------------------------------------------------------------
# Exact areas of unions of rectilinear polygons, clipped by a polygon and a
# circle about the origin: the "hand" calculation. The plane is cut along
# every x and y that occurs in the shapes; each grid cell is wholly inside or
# outside every shape; the area inside a circle of radius r of a cell is the
# closed-form integral below.
# ---------------------------------------------------------------------------

def _quad(a, b, r):
    """Area of the circle x²+y² ≤ r² within [0,a]×[0,b], a, b ≥ 0."""
    if a <= 0 or b <= 0:
        return 0.0
    if a * a + b * b <= r * r:
        return a * b

    def H(t):  # ∫ sqrt(r²-t²) dt
        t = min(t, r)
        return 0.5 * (t * math.sqrt(max(r * r - t * t, 0.0)) + r * r * math.asin(t / r))

    t0 = math.sqrt(max(r * r - b * b, 0.0))  # where the arc meets y = b
    lo = min(t0, a)
    hi = min(a, r)
    return b * lo + (H(hi) - H(lo) if hi > lo else 0.0)


def circle_rect(r, x0, y0, x1, y1):
    """Area of the disc of radius r about the origin within a rectangle."""
    def G(x, y):
        sx = 1 if x >= 0 else -1
        sy = 1 if y >= 0 else -1
        return sx * sy * _quad(abs(x), abs(y), r)
    return G(x1, y1) - G(x0, y1) - G(x1, y0) + G(x0, y0)


def union_area(shapes, clips=(), radius=None):
    """Area of (∪ shapes) ∩ (∩ clips) ∩ disc(radius)."""
    xs = sorted({x for s in list(shapes) + list(clips) for x, _ in s.coords()})
    ys = sorted({y for s in list(shapes) + list(clips) for _, y in s.coords()})
    total = 0.0
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            c = ((xs[i] + xs[i + 1]) / 2, (ys[j] + ys[j + 1]) / 2)
            if not any(s.contains(c) for s in shapes):
                continue
            if not all(k.contains(c) for k in clips):
                continue
            if radius is None:
                total += (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
            else:
                total += circle_rect(radius, xs[i], ys[j], xs[i + 1], ys[j + 1])
    return total


# ---------------------------------------------------------------------------
# The scheme
# ---------------------------------------------------------------------------

CITY = "hz-city"  # the dataset of the existing city around the scheme
FEATURES = {}   # file -> list of features
ALL = {}        # (id, stage) -> feature


def add(file, fid, props, geom, kind):
    """geom: Poly (kind 'Polygon'), (x, y) ('Point') or [(x, y)] ('LineString')."""
    props = dict(props)
    props.setdefault("cim:stage", "planning")
    if props["cim:stage"] == "as-built":
        # What exists already is the city around the scheme: a dataset of
        # its own, seen beside the scheme at every stage.
        props.setdefault("cim:dataset", CITY)
    f = {"id": fid, "props": props, "geom": geom, "kind": kind, "file": file}
    key = (fid, props["cim:stage"])
    assert key not in ALL, key
    ALL[key] = f
    FEATURES.setdefault(file, []).append(f)
    return f


# Site: 1000 m × 400 m east of the station along 望潮路, less a 150 m × 150 m
# notch in the north-west corner (a retained older neighbourhood outside the
# scheme). The station is on the south boundary, at the origin.
SITE = Poly([(-250, 0), (750, 0), (750, 400), (-100, 400), (-100, 250), (-250, 250)])
NOTCH = R(-250, 250, -100, 400)

POPULATION = 12000

add("site", "site", {
    "cim:class": "site",
    "name": "望潮未来社区 · 站前单元 (Wangchao Future Community, station unit)",
    "name:zh": "望潮未来社区站前单元",
    "name:en": "Wangchao Future Community, station unit",
    "community_type": "新建",
    "climate_zone": "III",
    "far_max": 2.0,
    "green_ratio_min": 0.30,
    "building_density_max": 0.30,
    "height_max_m": 100.0,
    "population": POPULATION,
    "households": 4300,
}, SITE, "Polygon")

# Internal roads (in the site, between the parcels).
ROAD_STRIPS = [R(-100, 230, 520, 250),      # 邻里街 (20 m)
               R(290, 0, 310, 230), R(290, 250, 310, 400),  # 未来路 (20 m)
               R(520, 0, 535, 400)]         # 共享街 (15 m)

PARCELS = [
    # id, name, landuse, code, rect, far_max, green_min, density_max, height_max
    ("p-01", "站西住宅地块", "residential", "R21", (-250, 0, -100, 250), 2.8, 0.35, 0.22, 80.0),
    ("p-02", "站前综合体地块 (TOD)", "commercial", "B1/B2", (-100, 0, 120, 230), 3.5, 0.15, 0.50, 100.0),
    ("p-03", "站东住宅地块", "residential", "R21", (120, 0, 290, 230), 2.8, 0.35, 0.22, 80.0),
    ("p-04", "北苑住宅地块", "residential", "R21", (-100, 250, 120, 400), 2.5, 0.30, 0.25, 80.0),
    ("p-05", "中央公园·邻里中心地块", "green", "G1/A", (120, 250, 290, 400), 0.5, 0.70, 0.15, 24.0),
    ("p-06", "未来学校地块", "education", "A33", (310, 250, 520, 400), 1.0, 0.35, 0.35, 24.0),
    ("p-07", "东苑住宅地块", "residential", "R21", (310, 0, 520, 230), 1.8, 0.35, 0.25, 60.0),
    ("p-08", "滨河颐养住区地块", "residential", "R21", (535, 0, 750, 400), 1.3, 0.35, 0.28, 36.0),
]
PARCEL_POLY = {}
for pid, name, lu, code, r, far, gr, bd, hm in PARCELS:
    PARCEL_POLY[pid] = R(*r)
    add("site", pid, {
        "cim:class": "parcel", "name": name, "landuse": lu, "landuse_code": code,
        "far_max": far, "green_ratio_min": gr, "building_density_max": bd, "height_max_m": hm,
    }, PARCEL_POLY[pid], "Polygon")

# Buildings. Residential towers 36 m × 18 m (two cores, 648 m²), 3.0 m
# storeys; slabs 60 m × 15 m (900 m²); 6-storey blocks 60 m × 14 m.
BUILDINGS = []   # (id, parcel)
PARCEL_SHORT = {"p-01": "站西苑", "p-03": "站东苑", "p-04": "北苑", "p-07": "东苑", "p-08": "滨河苑"}
_res_no = {}


def building(fid, parcel, poly, props):
    props = dict(props)
    props.setdefault("cim:stage", "planning")
    if props["cim:stage"] == "as-built":
        # What exists already is the city around the scheme: a dataset of
        # its own, seen beside the scheme at every stage.
        props.setdefault("cim:dataset", CITY)
    BUILDINGS.append((fid, parcel))
    return add("buildings", fid, props, poly, "Polygon")


def res(n, parcel, x0, y0, w, d, levels, under=0, **extra):
    _res_no[parcel] = _res_no.get(parcel, 0) + 1
    p = {"building": "residential", "building:levels": levels}
    if under:
        p["building:levels:underground"] = under
    p["height"] = round(levels * 3.0 + 1.5, 1)
    p["name"] = "%s %d号楼" % (PARCEL_SHORT[parcel], _res_no[parcel])
    p.update(extra)
    building("b-r%02d" % n, parcel, R(x0, y0, x0 + w, y0 + d), p)


n = 1
# p-01 站西苑: six towers next to the station, 26/26/18 storeys by row.
for y, lv in ((20, 26), (105, 26), (190, 18)):
    for x in (-235, -145):
        res(n, "p-01", x, y, 36, 18, lv, under=1); n += 1
# p-03 站东苑: six 26-storey towers. b-r07 (south-west) has design storeys.
for y in (20, 105, 190):
    for x in (135, 240):
        res(n, "p-03", x, y, 36, 18, 26, under=1); n += 1
# p-04 北苑: two 11-storey slabs in front (south), three 18-storey towers behind.
for x in (-60, 40):
    res(n, "p-04", x, 265, 60, 15, 11); n += 1
for x in (-60, 0, 65):
    res(n, "p-04", x, 355, 36, 18, 18, under=1); n += 1
# p-07 东苑: six 18-storey towers.
for y in (20, 100, 180):
    for x in (330, 460):
        res(n, "p-07", x, y, 36, 18, 18, under=1); n += 1
# p-08 滨河苑: eight 11-storey slabs, two 6-storey blocks (one crosses the 800 m ring).
for y in (20, 75, 130, 185):
    for x in (555, 650):
        res(n, "p-08", x, y, 60, 15, 11); n += 1
res(n, "p-08", 555, 255, 60, 14, 6); n += 1
res(n, "p-08", 640, 370, 80, 14, 6); n += 1
assert n == 34

# p-02 TOD complex.
building("b-c01", "p-02", R(-80, 20, 100, 110), {
    "building": "commercial", "building:levels": 4, "building:levels:underground": 2, "height": 24.0,
    "name": "望潮里站前商业综合体", "shop": "mall", "roof:garden": "yes"})
building("b-o01", "p-02", R(-80, 135, -20, 175), {
    "building": "office", "building:levels": 24, "building:levels:underground": 2, "height": 99.0,
    "name": "望潮中心办公塔楼"})
building("b-o02", "p-02", R(10, 135, 100, 165), {
    "building": "office", "office": "coworking", "building:levels": 8, "building:levels:underground": 1,
    "height": 36.0, "name": "未来创业中心 (共享办公)", "roof:garden": "yes"})
building("b-a01", "p-02", R(50, 185, 86, 203), {
    "building": "apartments", "building:levels": 26, "building:levels:underground": 1, "height": 79.5,
    "name": "望潮人才公寓"})
# p-04: neighbourhood shops straddling the boundary with the retained plot.
building("b-c02", "p-04", R(-120, 300, -80, 340), {
    "building": "retail", "building:levels": 3, "height": 13.5, "name": "邻里商业街坊 (跨红线)",
    "note": "straddles the site boundary: only the half inside the site counts"})
# p-05: the neighbourhood centre (邻里中心); design storeys in storeys.geojson.
CC_PROPS = {
    "building": "civic", "amenity": "community_centre", "building:levels": 4, "height": 18.0,
    "name": "望潮邻里中心", "community_centre": "community_center"}
building("b-cc01", "p-05", R(130, 260, 190, 300), CC_PROPS)
# p-06: school and kindergarten.
SCHOOL_L = Poly([(330, 290), (350, 290), (350, 365), (420, 365), (420, 385), (330, 385)])
building("b-s01", "p-06", SCHOOL_L, {
    "building": "school", "amenity": "school", "isced:level": "1", "building:levels": 4, "height": 17.0,
    "name": "望潮未来学校 (小学, 24班) 教学楼", "roof:garden": "yes"})
building("b-s02", "p-06", R(370, 290, 420, 330), {
    "building": "sports_hall", "amenity": "school", "building:levels": 2, "height": 12.0,
    "name": "望潮未来学校 体育馆"})
building("b-k01", "p-06", R(450, 270, 500, 310), {
    "building": "kindergarten", "amenity": "kindergarten", "building:levels": 3, "height": 12.6,
    "name": "望潮幼儿园 (9班)"})
# p-07: community health station.
building("b-h01", "p-07", R(395, 20, 435, 45), {
    "building": "civic", "amenity": "clinic", "healthcare": "clinic", "building:levels": 2, "height": 9.0,
    "name": "望潮社区卫生服务站"})
# p-08: elderly care.
building("b-e01", "p-08", R(555, 300, 615, 340), {
    "building": "civic", "amenity": "social_facility", "social_facility": "nursing_home",
    "social_facility:for": "senior", "building:levels": 5, "height": 20.0,
    "name": "望潮颐养中心 (养老院·日间照料)", "roof:garden": "yes"})
# p-03: underground-only garage under the courtyard.
building("b-p01", "p-03", R(140, 50, 270, 95), {
    "building": "parking", "amenity": "parking", "parking": "underground",
    "building:levels": 0, "building:levels:underground": 2, "name": "站东苑地下车库"})

STRADDLER = "b-c02"

# ---------------------------------------------------------------------------
# Design stage (storeys.geojson): the tower b-r07 and the neighbourhood
# centre b-cc01, storey by storey, with four rooms on the centre's ground
# floor. The parent buildings are repeated with cim:stage = design.
# ---------------------------------------------------------------------------

STOREYS = []  # (parent, level, height, Poly)


def design_building(fid):
    f = ALL[(fid, "planning")]
    p = dict(f["props"])
    p["cim:stage"] = "design"
    return add("storeys", fid, p, f["geom"], "Polygon")


def storey(parent, level, elev, height, poly, name):
    sid = "st-%s-%s" % (parent[2:], ("b%d" % -level) if level < 0 else "%02d" % level)
    STOREYS.append((parent, level, height, poly))
    return add("storeys", sid, {
        "cim:class": "storey", "cim:parent": parent, "level": str(level),
        "cim:elevation": round(elev, 2), "cim:storey_height": height, "name": name,
        "cim:stage": "design"}, poly, "Polygon")


design_building("b-r07")
storey("b-r07", -1, -4.2, 4.2, R(132, 17, 174, 41), "站东苑 1号楼 地下一层 (B1, 设备及非机动车库)")
for lv in range(0, 26):
    elev = 0.0 if lv == 0 else 3.3 + 3.0 * (lv - 1)
    h = 3.3 if lv == 0 else 3.0
    storey("b-r07", lv, elev, h, R(135, 20, 171, 38), "站东苑 1号楼 %d层" % (lv + 1))
storey("b-r07", 26, 3.3 + 3.0 * 25, 2.1, R(144, 24, 162, 34), "站东苑 1号楼 屋顶设备层 (层高2.1 m, 计一半)")

design_building("b-cc01")
CC_H = [4.5, 4.2, 4.2, 4.2]
elev = 0.0
for lv in range(4):
    poly = R(130, 260, 190, 300) if lv < 3 else R(150, 260, 190, 300)  # level 3 set back
    storey("b-cc01", lv, elev, CC_H[lv], poly, "望潮邻里中心 %d层" % (lv + 1))
    elev += CC_H[lv]

ROOMS = [
    ("sp-cc01-00-01", R(131, 261, 159, 281), {"name": "托育园 (0-3岁婴幼儿照护)", "amenity": "childcare"}),
    ("sp-cc01-00-02", R(161, 261, 189, 281), {"name": "健康小屋 (社区卫生服务点)", "amenity": "clinic", "healthcare": "clinic"}),
    ("sp-cc01-00-03", R(131, 283, 159, 299), {"name": "长者日间照料中心", "amenity": "social_facility",
                                              "social_facility": "day_care", "social_facility:for": "senior"}),
    ("sp-cc01-00-04", R(161, 283, 189, 299), {"name": "邻里书房", "amenity": "library"}),
]
for rid, poly, p in ROOMS:
    q = {"indoor": "room", "level": "0", "cim:parent": "st-cc01-00"}
    q.update(p)
    q["cim:stage"] = "design"
    add("storeys", rid, q, poly, "Polygon")

# ---------------------------------------------------------------------------
# Green
# ---------------------------------------------------------------------------

GROUND_GREEN = []


def green(fid, poly, props):
    GROUND_GREEN.append(fid)
    return add("green", fid, props, poly, "Polygon")


green("g-park-1", Poly([(192, 250), (290, 250), (290, 400), (120, 400), (120, 302), (192, 302)],
                       [rect(200, 325, 240, 355)]),
      {"leisure": "park", "name": "望潮中央公园",
       "note": "the hole is the paved central plaza; the cut-out corner is the neighbourhood centre"})
green("g-play-1", R(230, 270, 260, 300), {"leisure": "playground", "name": "中央公园儿童游乐场",
                                           "note": "inside g-park-1: counted once in the green ratio"})
green("g-linear-1", R(730, 0, 770, 400), {"leisure": "park", "name": "新塘河滨河绿带",
                                          "note": "half outside the site (x > 750 m): only the inside half counts"})
green("g-pocket-1", R(640, 290, 720, 355), {"leisure": "park", "name": "滨河苑口袋公园"})
green("g-garden-1", R(-80, 190, -20, 222), {"leisure": "garden", "name": "站前花园"})
green("g-grass-02a", R(-98, 5, -82, 225), {"landuse": "grass", "name": "站前综合体西侧绿带"})
green("g-grass-02b", R(102, 5, 118, 225), {"landuse": "grass", "name": "站园慢行绿带"})
green("g-grass-01a", R(-235, 43, -115, 100), {"landuse": "grass", "name": "站西苑宅间绿地 1"})
green("g-grass-01b", R(-235, 128, -115, 185), {"landuse": "grass", "name": "站西苑宅间绿地 2"})
green("g-grass-03a", R(130, 43, 280, 100), {"landuse": "grass", "name": "站东苑宅间绿地 1 (车库顶板覆土)"})
green("g-grass-03b", R(130, 128, 280, 185), {"landuse": "grass", "name": "站东苑宅间绿地 2"})
green("g-grass-04a", R(-78, 288, 110, 347), {"landuse": "grass", "name": "北苑中心绿地"})
green("g-grass-06a", R(430, 315, 515, 395), {"landuse": "grass", "name": "未来学校 生态园"})
green("g-grass-06b", R(355, 255, 445, 285), {"landuse": "grass", "name": "未来学校 前庭绿地"})
green("g-grass-06c", R(312, 255, 328, 395), {"landuse": "grass", "name": "未来学校 西侧绿带"})
green("g-grass-07a", R(320, 47, 510, 93), {"landuse": "grass", "name": "东苑宅间绿地 1"})
green("g-grass-07b", R(320, 125, 510, 173), {"landuse": "grass", "name": "东苑宅间绿地 2"})
green("g-grass-08a", R(545, 45, 720, 180, holes=[(554, 74, 616, 91), (649, 74, 711, 91),
                                                   (554, 129, 616, 146), (649, 129, 711, 146)]),
      {"landuse": "grass", "name": "滨河苑中心绿地",
       "note": "holes are the slabs b-r26, b-r27, b-r28, b-r29 plus 1 m (GB 50180 A.0.2)"})

ROOF = []  # (id, parent, soil depth, poly)


def roof(fid, parent, level, elev, depth, poly, name):
    ROOF.append((fid, parent, depth, poly))
    return add("green", fid, {
        "leisure": "garden", "roof:garden": "yes", "location": "roof", "level": str(level),
        "cim:parent": parent, "roof:soil_depth": depth, "cim:elevation": elev, "name": name}, poly, "Polygon")


roof("g-roof-1", "b-c01", 4, 22.0, 1.2, R(-70, 30, 90, 100), "站前综合体屋顶花园")
roof("g-roof-2", "b-o02", 8, 33.6, 0.4, R(15, 140, 95, 160), "创业中心屋顶农场")
roof("g-roof-3", "b-s01", 4, 15.6, 0.6, R(335, 368, 415, 382), "未来学校屋顶自然课堂")
roof("g-roof-4", "b-e01", 5, 18.0, 0.8, R(560, 305, 610, 335), "颐养中心屋顶康养花园")

VERTICAL = [("g-vert-1", "b-o02", 1080.0)]
add("green", "g-vert-1", {
    "cim:class": "green", "cim:green": "vertical", "cim:green_area_m2": 1080.0, "cim:parent": "b-o02",
    "name": "创业中心南立面垂直绿化 (90 m × 12 m)"}, [(10, 135), (100, 135)], "LineString")

# ---------------------------------------------------------------------------
# Transit, roads, facility points
# ---------------------------------------------------------------------------

add("transit", "t-station", {
    "railway": "station", "station": "subway", "public_transport": "station", "subway": "yes",
    "name": "望潮路站", "name:en": "Wangchao Road", "network": "杭州地铁", "operator": "杭州地铁",
    "note": "fictional station", "cim:stage": "as-built"}, (0, 0), "Point")
add("transit", "t-entrance-a", {"railway": "subway_entrance", "ref": "A", "name": "望潮路站 A口 (站前广场)",
                                "wheelchair": "yes"}, (-30, 5), "Point")
add("transit", "t-entrance-b", {"railway": "subway_entrance", "ref": "B", "name": "望潮路站 B口 (综合体)"},
    (60, 5), "Point")
add("transit", "t-entrance-c", {"railway": "subway_entrance", "ref": "C", "name": "望潮路站 C口",
                                "cim:stage": "as-built"}, (-15, -45), "Point")
BUS = [("t-bus-1", "望潮路地铁站", (-150, -8), "as-built"),
       ("t-bus-2", "望潮路未来路口", (330, -8), "planning"),
       ("t-bus-3", "望潮路共享街口", (600, -8), "planning"),
       ("t-bus-4", "新塘路中央公园", (200, 408), "planning"),
       ("t-bus-5", "未来路邻里中心", (292, 300), "planning")]
for bid, name, xy, stage in BUS:
    add("transit", bid, {"highway": "bus_stop", "public_transport": "platform", "bus": "yes",
                         "name": name, "shelter": "yes", "cim:stage": stage}, xy, "Point")

ROADS = [
    ("rd-wangchao", "primary", "望潮路", [(-450, -25), (900, -25)], {"lanes": 6, "cim:stage": "as-built"}),
    ("rd-jiangjin", "secondary", "江锦路", [(-265, -100), (-265, 600)], {"lanes": 4, "cim:stage": "as-built"}),
    ("rd-xintang", "secondary", "新塘路", [(-265, 415), (800, 415)], {"lanes": 4, "cim:stage": "as-built"}),
    ("rd-weilai", "tertiary", "未来路", [(300, -25), (300, 415)], {"lanes": 2}),
    ("rd-linli", "residential", "邻里街", [(-100, 240), (527.5, 240)], {"lanes": 2}),
    ("rd-gongxiang", "residential", "共享街", [(527.5, -25), (527.5, 415)], {"lanes": 2, "maxspeed": "20"}),
    ("fw-zhanyuan", "footway", "站园慢行道", [(110, 0), (110, 240), (210, 310), (285, 390), (290, 400)], {}),
    ("fw-binhe", "footway", "滨河步道", [(740, -25), (740, 415)], {}),
    ("fw-linli", "footway", "邻里步道", [(-265, 240), (-100, 240)], {}),
]
for rid, hw, name, line, extra in ROADS:
    p = {"highway": hw, "name": name}
    p.update(extra)
    add("roads", rid, p, line, "LineString")

FAC = [
    ("f-charging-1", {"amenity": "charging_station", "name": "站前广场公共充电站"}, (0, 10)),
    ("f-bike-1", {"amenity": "bicycle_parking", "name": "B口非机动车停车点"}, (80, 10)),
    ("f-market-1", {"amenity": "marketplace", "name": "邻里生鲜市场", "level": "0", "cim:parent": "b-c01"}, (-40, 60)),
    ("f-canteen-1", {"amenity": "canteen", "name": "邻里食堂 (长者助餐)", "level": "1", "cim:parent": "b-cc01"}, (175, 292)),
    ("f-toilets-1", {"amenity": "toilets", "name": "中央公园公共厕所"}, (270, 380)),
    ("f-recycling-1", {"amenity": "recycling", "name": "东苑垃圾分类收集点"}, (505, 215)),
]
for fid, p, xy in FAC:
    add("facilities", fid, p, xy, "Point")

# ---------------------------------------------------------------------------
# Consistency checks on the design
# ---------------------------------------------------------------------------

def bbox(poly):
    xs = [x for x, _ in poly.outer]
    ys = [y for _, y in poly.outer]
    return min(xs), min(ys), max(xs), max(ys)


def overlap_area(a, b):
    return union_area([a], clips=[b])


def within(a, b):
    return abs(union_area([a], clips=[b]) - a.area()) < 1e-6


def check():
    # Parcels and road strips tile the site.
    tiles = [PARCEL_POLY[p] for p, *_ in PARCELS] + ROAD_STRIPS
    assert abs(sum(t.area() for t in tiles) - SITE.area()) < 1e-6
    assert abs(union_area(tiles) - SITE.area()) < 1e-6
    assert abs(union_area(tiles, clips=[SITE]) - SITE.area()) < 1e-6
    bl = [(fid, ALL[(fid, "planning")]["geom"]) for fid, _ in BUILDINGS]
    # Buildings: inside their parcel (b-c02 half outside the site).
    for fid, parcel in BUILDINGS:
        g = ALL[(fid, "planning")]["geom"]
        if fid == STRADDLER:
            inside = union_area([g], clips=[SITE])
            assert abs(inside - g.area() / 2) < 1e-6, inside
            assert within(Poly(rect(-100, 300, -80, 340)), PARCEL_POLY[parcel])
        else:
            assert within(g, PARCEL_POLY[parcel]), fid
    # Above-ground footprints do not overlap, and keep 1 m off each other.
    above = [(f, g) for f, g in bl if ALL[(f, "planning")]["props"]["building:levels"] > 0]
    for i in range(len(above)):
        for j in range(i + 1, len(above)):
            assert overlap_area(above[i][1], above[j][1]) == 0, (above[i][0], above[j][0])
    # Ground green keeps 1 m off every above-ground wall (GB 50180 A.0.2).
    for gid in GROUND_GREEN:
        g = ALL[(gid, "planning")]["geom"]
        for f, b in above:
            x0, y0, x1, y1 = bbox(b)
            grown = [Poly(rect(x0 - 1, y0 - 1, x1 + 1, y1 + 1))] if f != "b-s01" else \
                [R(329, 289, 351, 386), R(329, 364, 421, 386)]
            assert sum(overlap_area(g, k) for k in grown) < 1e-6, (gid, f)
    # Only g-play-1 overlaps g-park-1 among the ground green.
    for i, a in enumerate(GROUND_GREEN):
        for b in GROUND_GREEN[i + 1:]:
            ov = overlap_area(ALL[(a, "planning")]["geom"], ALL[(b, "planning")]["geom"])
            assert (ov > 0) == ({a, b} == {"g-park-1", "g-play-1"}), (a, b, ov)
    assert within(ALL[("g-play-1", "planning")]["geom"], ALL[("g-park-1", "planning")]["geom"])
    # Roof gardens on their roofs; storeys and rooms where they belong.
    for fid, parent, _, poly in ROOF:
        assert within(poly, ALL[(parent, "planning")]["geom"]), fid
    for parent, level, _, poly in STOREYS:
        if level >= 0:
            assert within(poly, ALL[(parent, "planning")]["geom"])
        assert within(poly, SITE)
    for rid, poly, _ in ROOMS:
        assert within(poly, R(130, 260, 190, 300))
    # Points: entrances A and B on the station plaza, not in buildings.
    for fid in ("t-entrance-a", "t-entrance-b"):
        p = ALL[(fid, "planning")]["geom"]
        assert SITE.contains(p) and not any(g.contains(p) for _, g in above)
    # Ids unique across files, except the design-stage twins of b-r07 and b-cc01.
    ids = {}
    for (fid, stage), f in ALL.items():
        ids.setdefault(fid, []).append(stage)
    dup = sorted(k for k, v in ids.items() if len(v) > 1)
    assert dup == ["b-cc01", "b-r07"], dup


# ---------------------------------------------------------------------------
# Indicators by hand (exact areas from the metre dimensions)
# ---------------------------------------------------------------------------

def indicators(log):
    ind = []  # (name, value)

    def put(name, value):
        ind.append((name, value))

    site_a = SITE.area()
    log("Site: 1000 m × 400 m − 150 m × 150 m notch = %.0f m² = %.4f ha" % (site_a, site_a / 1e4))
    put("site_area_m2", site_a)
    put("site_area_ha", site_a / 1e4)

    above, under_only = [], []
    for fid, parcel in BUILDINGS:
        f = ALL[(fid, "planning")]
        (above if f["props"]["building:levels"] > 0 else under_only).append((fid, parcel, f))

    log("\nPlanning-stage massing (footprint ∩ site × building:levels):")
    gfa = {}
    fp_in = {}
    ug = {}
    for fid, parcel, f in above + under_only:
        g, p = f["geom"], f["props"]
        a_in = union_area([g], clips=[SITE])
        fp_in[fid] = a_in
        lv = p["building:levels"]
        gfa[fid] = a_in * lv
        ug[fid] = a_in * p.get("building:levels:underground", 0)
        x0, y0, x1, y1 = bbox(g)
        dims = "%g×%g" % (x1 - x0, y1 - y0) if len(g.outer) == 4 else "L %g×%g+%g×%g" % (20, 75, 90, 20)
        clip = " (in site: %g of %g)" % (a_in, g.area()) if fid == STRADDLER else ""
        log("  %-7s %-5s %-14s fp %7.0f m²%s × %2d = %8.0f m²  underground %6.0f m²  h %5.1f m  %s" % (
            fid, parcel, dims, a_in, clip, lv, gfa[fid], ug[fid], p.get("height", 0.0), p["name"]))

    fp_sum = sum(fp_in[f] for f, _, _ in above)
    fp_union = union_area([f["geom"] for _, _, f in above], clips=[SITE])
    put("building_count", len(BUILDINGS))
    put("building_count_above_ground", len(above))
    put("footprint_sum_in_site_m2", fp_sum)
    put("footprint_union_in_site_m2", fp_union)
    put("building_density", fp_union / site_a)
    log("\nΣ footprint in site (above-ground buildings) = %.0f m²; union = %.0f m²; density = %.4f" % (
        fp_sum, fp_union, fp_union / site_a))

    gfa_plan = sum(gfa.values())
    ug_plan = sum(ug.values())
    put("gfa_planning_m2", gfa_plan)
    put("far_planning", gfa_plan / site_a)
    put("gfa_underground_planning_m2", ug_plan)

    # Design stage: storeys replace the massing of b-r07 and b-cc01.
    log("\nDesign stage (storeys replace the massing of b-r07 and b-cc01):")
    gfa_design = gfa_plan
    ug_design = ug_plan
    for parent in ("b-r07", "b-cc01"):
        full = half = below = 0.0
        for par, lv, h, poly in STOREYS:
            if par != parent:
                continue
            a = union_area([poly], clips=[SITE])
            if lv < 0:
                below += a
            elif h >= 2.20:
                full += a
            else:
                half += a
        counted = full + half / 2
        log("  %s: storeys ≥ 2.20 m %.0f m² + ½ × %.0f m² (< 2.20 m) = %.0f m² (massing %.0f m²); "
            "basement %.0f m² (massing %.0f m²)" % (parent, full, half, counted, gfa[parent], below, ug[parent]))
        gfa_design += counted - gfa[parent]
        ug_design += below - ug[parent]
        put("gfa_design_%s_m2" % parent.replace("-", "_"), counted)
    put("gfa_design_m2", gfa_design)
    put("far_design", gfa_design / site_a)
    put("gfa_underground_design_m2", ug_design)
    log("GFA planning %.0f m² → FAR %.4f; design %.0f m² → FAR %.4f" % (
        gfa_plan, gfa_plan / site_a, gfa_design, gfa_design / site_a))
    log("Underground GFA (not in FAR): planning %.0f m², design %.0f m²" % (ug_plan, ug_design))

    # Green.
    gg = [ALL[(g, "planning")]["geom"] for g in GROUND_GREEN]
    g_union = union_area(gg, clips=[SITE])
    g_sum = sum(g.area() for g in gg)
    roof_a = sum(p.area() for _, _, _, p in ROOF)
    put("green_ground_sum_m2", g_sum)
    put("green_ground_union_in_site_m2", g_union)
    put("green_ratio", g_union / site_a)
    put("roof_garden_m2", roof_a)

    def credit(d):  # Hangzhou 2013, by soil depth
        for lim, c in ((1.5, 1.0), (1.0, 0.8), (0.5, 0.5), (0.3, 0.3), (0.1, 0.1)):
            if d >= lim:
                return c
        return 0.0
    roof_credit = sum(p.area() * credit(d) for _, _, d, p in ROOF)
    vert = sum(a for _, _, a in VERTICAL)
    put("roof_garden_credited_m2", roof_credit)
    put("vertical_green_m2", vert)
    comp = (g_union + roof_credit + 0.2 * vert) / site_a
    put("green_ratio_3d_hangzhou", comp)
    log("\nGround green: Σ areas %.0f m² (playground counted twice, river green half outside), "
        "union ∩ site %.0f m² → green ratio %.4f" % (g_sum, g_union, g_union / site_a))
    log("Roof gardens %.0f m² (credited %.0f m² by soil depth); vertical %.0f m² × 20 %%; "
        "3D composite green ratio %.4f" % (roof_a, roof_credit, vert, comp))

    # TOD rings (planning massing, GFA prorated by footprint area in the circle).
    for r in (300, 500, 800):
        a = union_area([SITE], radius=r)
        g = sum(ALL[(f, "planning")]["props"]["building:levels"] *
                union_area([ALL[(f, "planning")]["geom"]], clips=[SITE], radius=r) for f, _, _ in above)
        put("tod_%d_area_m2" % r, a)
        put("tod_%d_gfa_m2" % r, g)
        put("tod_%d_far" % r, g / a)
        log("TOD %d m: circle ∩ site %.1f m², GFA %.1f m², FAR %.4f" % (r, a, g, g / a))

    # Parcels (planning).
    log("\nParcels (planning):")
    for pid, name, *_ in PARCELS:
        pp = PARCEL_POLY[pid]
        pa = pp.area()
        pg = sum(ALL[(f, "planning")]["props"]["building:levels"] *
                 union_area([ALL[(f, "planning")]["geom"]], clips=[SITE, pp]) for f, _, _ in above)
        pf = union_area([ALL[(f, "planning")]["geom"] for f, _, _ in above], clips=[SITE, pp])
        pgr = union_area(gg, clips=[SITE, pp])
        put("%s_area_m2" % pid.replace("-", "_"), pa)
        put("%s_gfa_m2" % pid.replace("-", "_"), pg)
        put("%s_far" % pid.replace("-", "_"), pg / pa)
        put("%s_building_density" % pid.replace("-", "_"), pf / pa)
        put("%s_green_ratio" % pid.replace("-", "_"), pgr / pa)
        log("  %s %-22s %7.0f m²  GFA %7.0f m²  FAR %.3f  density %.3f  green %.3f" % (
            pid, name, pa, pg, pg / pa, pf / pa, pgr / pa))

    hmax = max(f["props"].get("height", 0.0) for _, _, f in above)
    lmax = max(f["props"]["building:levels"] for _, _, f in above)
    put("height_max_m", hmax)
    put("levels_max", lmax)
    res_gfa = sum(gfa[f] for f, _, x in above if x["props"]["building"] in ("residential", "apartments"))
    put("gfa_residential_m2", res_gfa)
    put("population", POPULATION)
    put("park_m2_per_person", ALL[("g-park-1", "planning")]["geom"].area() / POPULATION)
    log("\nMax height %.1f m, max levels %d; residential GFA %.0f m² for %d residents" % (
        hmax, lmax, res_gfa, POPULATION))
    return ind


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def fmt_pt(xy):
    lon, lat = lonlat(*xy)
    return "[%.7f, %.7f]" % (lon, lat)


def fmt_geom(f):
    k, g = f["kind"], f["geom"]
    if k == "Point":
        c = fmt_pt(g)
    elif k == "LineString":
        c = "[" + ", ".join(fmt_pt(p) for p in g) + "]"
    else:
        c = "[" + ", ".join("[" + ", ".join(fmt_pt(p) for p in r) + "]" for r in g.rings()) + "]"
    return '{"type": "%s", "coordinates": %s}' % (k, c)


FILES = [
    ("site", "Site boundary with its planning controls, and the eight parcels."),
    ("buildings", "Building footprints (planning-stage massing), OSM building tags."),
    ("storeys", "Design stage: buildings b-r07 and b-cc01 storey by storey, rooms on the centre's ground floor."),
    ("green", "Ground green, roof gardens and a vertical green."),
    ("transit", "Metro station, its entrances and bus stops."),
    ("roads", "Roads and footpaths (centrelines)."),
    ("facilities", "Service points not drawn as buildings."),
]


def render(name, desc):
    out = ['{"type": "FeatureCollection", "name": "%s",' % name,
           ' "description": %s,' % json.dumps(desc, ensure_ascii=False),
           ' "features": [']
    feats = FEATURES[name]
    for i, f in enumerate(feats):
        out.append('{"type": "Feature", "id": %s,' % json.dumps(f["id"]))
        out.append(' "properties": %s,' % json.dumps(f["props"], ensure_ascii=False))
        out.append(' "geometry": %s}%s' % (fmt_geom(f), "," if i < len(feats) - 1 else ""))
    out.append("]}")
    return "\n".join(out) + "\n"


def main():
    only_check = "--check" in sys.argv[1:]
    check()
    lines = []
    ind = indicators(lines.append)
    outputs = {os.path.join(OUT, n + ".geojson"): render(n, d) for n, d in FILES}
    csv = "name,value\n" + "".join("%s,%s\n" % (k, ("%.6f" % v).rstrip("0").rstrip(".")) for k, v in ind)
    outputs[os.path.join(HERE, "indicators_hand.csv")] = csv
    stale = []
    for path, text in outputs.items():
        data = text.encode("utf-8")
        old = open(path, "rb").read() if os.path.exists(path) else None
        if old != data:
            stale.append(os.path.relpath(path, OUT))
            if not only_check:
                with open(path, "wb") as fh:
                    fh.write(data)
    if only_check:
        if stale:
            print("stale: " + ", ".join(stale))
            sys.exit(1)
        print("samples are up to date")
        return
    print("\n".join(lines))
    print("\nfeatures per file: " + ", ".join("%s %d" % (n, len(FEATURES[n])) for n, _ in FILES))
    print("origin %.4f E %.4f N; M = %.3f m, N = %.3f m" % (LON0, LAT0, M_RAD, N_RAD))
    print("wrote: " + (", ".join(stale) if stale else "nothing (all files up to date)"))


if __name__ == "__main__":
    main()
