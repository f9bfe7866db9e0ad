# Reads lines "UTC-ISO lat lon elevation" on stdin and prints, for each,
# "alt az" in degrees from PyEphem: the topocentric place of the Sun with
# pressure = 0, i.e. no refraction (PyEphem's alt is the apparent
# topocentric altitude, refracted for the observer's pressure and
# temperature unless pressure is 0). PyEphem's dates are UT; it applies its
# own ΔT internally. Used by the sun package's TestPyEphem.
import math
import sys

import ephem

sun = ephem.Sun()
obs = ephem.Observer()
obs.pressure = 0
obs.epoch = ephem.J2000  # irrelevant to alt/az, which are of date
for line in sys.stdin:
    when, lat, lon, elev = line.split()
    obs.lat, obs.lon, obs.elevation = lat, lon, float(elev)
    obs.date = ephem.Date(when.replace('T', ' ').rstrip('Z').replace('-', '/'))
    sun.compute(obs)
    print('%.9f %.9f' % (math.degrees(sun.alt), math.degrees(sun.az)))
