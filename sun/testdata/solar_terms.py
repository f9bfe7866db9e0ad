# Prints the instants (UTC) at which the Sun's apparent geocentric ecliptic
# longitude reaches 270° (冬至) and 300° (大寒), from PyEphem, for the
# sun package's TestTermInstant. Run: python3 sun/testdata/solar_terms.py
import math
import ephem

def lon(d):
    s = ephem.Sun(d)
    # Apparent geocentric ecliptic longitude of date: g_ra/g_dec are the
    # apparent geocentric place (precession, nutation, aberration);
    # Ecliptic(..., epoch=d) rotates it to the ecliptic of date.
    eq = ephem.Equatorial(s.g_ra, s.g_dec, epoch=d)
    return float(ephem.Ecliptic(eq, epoch=d).lon)

def term(deg, start):
    target = math.radians(deg)
    f = lambda d: math.remainder(lon(d) - target, 2 * math.pi)
    return ephem.Date(ephem.newton(f, start, start + 0.01))

for year in (2024, 2025, 2026, 2027):
    mc = term(300, ephem.Date('%d/1/19' % year))
    ws = term(270, ephem.Date('%d/12/20' % year))
    ws2 = ephem.next_solstice('%d/12/1' % year)
    print('大寒', year, mc, '冬至', year, ws, 'next_solstice', ws2)
