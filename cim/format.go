package cim

import "strconv"

// FormatInt writes n in decimal with a comma between each group of three
// digits, as reports show counts and areas: 617592 → "617,592",
// -1234 → "-1,234".
func FormatInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := len(s)
	if n < 0 {
		digits--
	}
	if digits <= 3 {
		return s
	}
	b := make([]byte, 0, len(s)+(digits-1)/3)
	if n < 0 {
		b, s = append(b, '-'), s[1:]
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, s[i])
	}
	return string(b)
}
