package app

import "time"

// durationWords says a duration in words, by its two largest units, as a
// person says it: "2 days 3 hours", "23 hours 59 minutes", "55 minutes
// 0 seconds", "6 months" (30-day months, from 60 days on), "1 year".
func durationWords(d time.Duration) string {
	const day = 24 * time.Hour
	d = d.Round(time.Second)
	switch {
	case d >= 365*day:
		return plural(int(d/(365*day)), "year", "years")
	case d >= 60*day:
		return plural(int(d/(30*day)), "month", "months")
	case d >= day:
		return plural(int(d/day), "day", "days") + " " + plural(int(d%day/time.Hour), "hour", "hours")
	case d >= time.Hour:
		return plural(int(d/time.Hour), "hour", "hours") + " " + plural(int(d%time.Hour/time.Minute), "minute", "minutes")
	}
	return plural(int(d/time.Minute), "minute", "minutes") + " " + plural(int(d%time.Minute/time.Second), "second", "seconds")
}
