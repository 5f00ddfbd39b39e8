package query

import (
	"strconv"
	"time"
)

// ParseDate parses a full or partial ISO-8601 date as used in v3 queries and returns the interval
// it covers as Unix milliseconds [start, end). Accepted forms: 2017, 2017-12, 2017-12-01,
// 2017-12-01T10, 2017-12-01T10:30, 2017-12-01T10:30:15, 2017-12-01T10:30:15.123 (any number of
// fraction digits), each optionally followed by Z or a ±hh:mm offset; no zone means UTC.
func ParseDate(s string) (start, end int64, ok bool) {
	i := 0
	num := func(n int) (int, bool) {
		if i+n > len(s) {
			return 0, false
		}
		v := 0
		for _, c := range []byte(s[i : i+n]) {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		i += n
		return v, true
	}
	sep := func(c byte) bool {
		if i < len(s) && s[i] == c {
			i++
			return true
		}
		return false
	}
	year, ok := num(4)
	if !ok {
		return 0, 0, false
	}
	month, day, hour, minute, sec, nsec := 1, 1, 0, 0, 0, 0
	unit := "year"
	fracDigits := 0
	if sep('-') {
		if month, ok = num(2); !ok || month < 1 || month > 12 {
			return 0, 0, false
		}
		unit = "month"
		if sep('-') {
			if day, ok = num(2); !ok || day < 1 || day > 31 {
				return 0, 0, false
			}
			unit = "day"
			if sep('T') {
				if hour, ok = num(2); !ok || hour > 23 {
					return 0, 0, false
				}
				unit = "hour"
				if sep(':') {
					if minute, ok = num(2); !ok || minute > 59 {
						return 0, 0, false
					}
					unit = "minute"
					if sep(':') {
						if sec, ok = num(2); !ok || sec > 59 {
							return 0, 0, false
						}
						unit = "second"
						if sep('.') {
							start := i
							for i < len(s) && s[i] >= '0' && s[i] <= '9' {
								i++
							}
							fracDigits = i - start
							if fracDigits == 0 || fracDigits > 9 {
								return 0, 0, false
							}
							frac := s[start:i]
							for len(frac) < 9 {
								frac += "0"
							}
							n, err := strconv.Atoi(frac)
							if err != nil {
								return 0, 0, false
							}
							nsec = n
							unit = "fraction"
						}
					}
				}
			}
		}
	}
	loc := time.UTC
	if unit != "year" && unit != "month" && unit != "day" {
		switch {
		case sep('Z'):
		case i < len(s) && (s[i] == '+' || s[i] == '-'):
			sign := 1
			if s[i] == '-' {
				sign = -1
			}
			i++
			oh, ok1 := num(2)
			if !ok1 || !sep(':') {
				return 0, 0, false
			}
			om, ok2 := num(2)
			if !ok2 || oh > 23 || om > 59 {
				return 0, 0, false
			}
			loc = time.FixedZone("", sign*(oh*3600+om*60))
		}
	}
	if i != len(s) {
		return 0, 0, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc)
	if t.Day() != day { // e.g. 2017-02-30
		return 0, 0, false
	}
	var e time.Time
	switch unit {
	case "year":
		e = t.AddDate(1, 0, 0)
	case "month":
		e = t.AddDate(0, 1, 0)
	case "day":
		e = t.AddDate(0, 0, 1)
	case "hour":
		e = t.Add(time.Hour)
	case "minute":
		e = t.Add(time.Minute)
	case "second":
		e = t.Add(time.Second)
	default:
		e = t.Add(time.Millisecond)
	}
	return t.UnixMilli(), e.UnixMilli(), true
}
