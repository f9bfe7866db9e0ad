// Package sun computes the Sun's position for the sunlight-hours check
// (日照分析) of GB 50180-2018 §4.0.9 and GB/T 50947-2014: where the Sun is,
// minute by minute, in a band of local true solar time on a standard day.
//
// # Solar position
//
// Compute is NREL's Solar Position Algorithm: I. Reda and A. Andreas,
// "Solar Position Algorithm for Solar Radiation Applications",
// NREL/TP-560-34302, revised January 2008, implemented from the paper's
// equations (section 3, numbered steps 3.1–3.16; Appendix A.1 for the
// equation of time). The periodic terms are the paper's Table A4.2 (Earth
// heliocentric longitude L0–L5, latitude B0–B1, radius R0–R4) and Table A4.3
// (the 63 nutation terms), in terms.go. The paper's own example (Table A5.1)
// is reproduced in the tests to its printed digits (zenith and azimuth to
// 5e-6°). The paper quotes an uncertainty of ±0.0003° for years −2000 to
// 6000.
//
// Altitude is geometric (no refraction) unless Options.Atmosphere is set.
// Whether GB/T 50947-2014 wants the apparent (refracted) or the geometric
// altitude could not be confirmed from its text; refraction at the low
// altitudes of a winter morning is 0.1°–0.3°, so it matters at the band's
// ends. It is a parameter, defaulting to geometric.
//
// # Time bases
//
// True (apparent) solar time is the Sun's local hour angle plus 12 h.
// ToTrueSolar and FromTrueSolar convert between it and Beijing time (UTC+8,
// the 120°E meridian):
//
//	true solar time = Beijing time + (λ − 120°)·4 min/° + E
//
// where E (EquationOfTime) is taken exactly from the SPA's apparent sidereal
// time and right ascension, 12 h + (ν − α)/15 − UT1, rather than from the
// mean-longitude formula of Appendix A.1 (Position.EquationOfTimeMin); the
// two differ by under a second.
//
// # Standard days
//
// Term.Instant finds when the apparent geocentric ecliptic longitude λ
// (nutation and aberration included) reaches 270° (冬至, WinterSolstice) or
// 300° (大寒, MajorCold), by Newton iteration on the SPA's λ to 0.1 s.
// Term.Day takes the calendar day containing that instant in a given
// location, Beijing by default (the convention of Chinese calendars).
//
// # Sweep
//
// Sweep gives the Sun's altitude, azimuth and east-north-up direction at
// every step of a band of true solar time (MajorColdBand 8:00–16:00,
// WinterSolsticeBand 9:00–15:00). One track serves a whole site: from a
// point 500 m from the reference point the local vertical is tilted by
// 500 m / 6371 km = 0.0045°, and the parallax of the Sun over 1 km is 1e-8°;
// the measured worst case over the 冬至 band at Hangzhou is 0.0048°, about
// 1.1 s of the Sun's motion, far below a 1-minute step.
//
// PyEphem (python3-ephem) is the independent reference in the tests: over
// both bands at Hangzhou the geometric altitude and azimuth agree to 0.0002°.
package sun
