package app

import "time"

// durationWords says a duration in words, by its two largest units, as a
// person says it: "2 days 3 hours", "23 hours 59 minutes", "1 hour",
// "55 minutes", "6 months" (30-day months, from 60 days on), "1 year".
func durationWords(d time.Duration) string {
	const day = 24 * time.Hour
	d = d.Round(time.Second)
	two := func(n int, one, many string, m int, mOne, mMany string) string {
		s := plural(n, one, many)
		if m > 0 {
			s += " " + plural(m, mOne, mMany)
		}
		return s
	}
	switch {
	case d >= 365*day:
		return plural(int(d/(365*day)), "year", "years")
	case d >= 60*day:
		return plural(int(d/(30*day)), "month", "months")
	case d >= day:
		return two(int(d/day), "day", "days", int(d%day/time.Hour), "hour", "hours")
	case d >= time.Hour:
		return two(int(d/time.Hour), "hour", "hours", int(d%time.Hour/time.Minute), "minute", "minutes")
	case d >= time.Minute:
		return two(int(d/time.Minute), "minute", "minutes", int(d%time.Minute/time.Second), "second", "seconds")
	}
	return plural(int(d/time.Second), "second", "seconds")
}
