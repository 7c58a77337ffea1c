package matching

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// dateTimeCache holds compiled date/time expressions by kind and pattern, as regexCache does for
// regex rules: pacts repeat the same few formats across interactions.
var dateTimeCache sync.Map // kind + "\x00" + pattern -> *regexp.Regexp

// dateTimeRegexp turns a Java DateTimeFormatter pattern (the format of Pact's date, time and
// datetime rules) into an anchored regular expression checking field widths and ranges. An empty
// pattern means ISO 8601: yyyy-MM-dd, HH:mm:ss with optional fraction and offset, or both joined by T.
func dateTimeRegexp(kind, pattern string) (*regexp.Regexp, error) {
	key := kind + "\x00" + pattern
	if re, ok := dateTimeCache.Load(key); ok {
		return re.(*regexp.Regexp), nil
	}
	re, err := compileDateTime(kind, pattern)
	if err != nil {
		return nil, err
	}
	dateTimeCache.Store(key, re)
	return re, nil
}

// defaultFormat is the pattern of a date, time or datetime rule without one, as pact-reference
// defaults them (pact_matching: yyyy-MM-dd, HH:mm:ss, yyyy-MM-dd'T'HH:mm:ssXXX).
func defaultFormat(kind string) string {
	switch kind {
	case "date":
		return "yyyy-MM-dd"
	case "time":
		return "HH:mm:ss"
	}
	return "yyyy-MM-dd'T'HH:mm:ssXXX"
}

func compileDateTime(kind, pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		pattern = defaultFormat(kind)
	}
	var b strings.Builder
	b.WriteByte('^')
	named := map[string]bool{} // date fields already captured by name (first occurrence only)
	rs := []rune(pattern)
	for i := 0; i < len(rs); {
		c := rs[i]
		if c == '\'' {
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("date/time format %q: unterminated quoted literal", pattern)
			}
			if j == i+1 {
				b.WriteString("'")
			} else {
				b.WriteString(regexp.QuoteMeta(string(rs[i+1 : j])))
			}
			i = j + 1
			continue
		}
		if c == '[' || c == ']' {
			// optional sections: accept the enclosed fields or nothing
			if c == '[' {
				b.WriteString("(?:")
			} else {
				b.WriteString(")?")
			}
			i++
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteString(regexp.QuoteMeta(string(c)))
			i++
			continue
		}
		n := 1
		for i+n < len(rs) && rs[i+n] == c {
			n++
		}
		i += n
		frag, err := dateField(c, n)
		if err != nil {
			return nil, fmt.Errorf("date/time format %q: %w", pattern, err)
		}
		// Capture the year, numeric month and day by name so validDate can check that the date
		// exists (2025-02-30 does not), as Java's DateTimeFormatter does.
		if name := dateGroup(c, n); name != "" && !named[name] {
			named[name] = true
			frag = "(?P<" + name + ">" + frag + ")"
		}
		b.WriteString(frag)
	}
	b.WriteByte('$')
	return regexp.Compile(b.String())
}

// dateGroup names the capture of a year (3 or more letters), numeric month, day-of-month or
// day-of-year field.
func dateGroup(c rune, n int) string {
	switch {
	case (c == 'y' || c == 'u') && n >= 3:
		return "y"
	case (c == 'M' || c == 'L') && n <= 2:
		return "M"
	case c == 'd':
		return "d"
	case c == 'D':
		return "D"
	}
	return ""
}

// validDate checks that a value matched by a dateTimeRegexp names a day that exists: a day of
// month beyond the month's length (in that year, when the year is captured) is invalid. It
// returns a sentence saying why, or "".
func validDate(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	var y, mo, d, doy int
	for i, name := range re.SubexpNames() {
		switch name {
		case "y":
			y, _ = strconv.Atoi(m[i])
		case "M":
			mo, _ = strconv.Atoi(m[i])
		case "d":
			d, _ = strconv.Atoi(m[i])
		case "D":
			doy, _ = strconv.Atoi(m[i])
		}
	}
	if re.SubexpIndex("D") >= 0 {
		// a day of the year exists from 1 to 365, 366 in a leap year (Java's DateTimeFormatter;
		// pact-reference refuses every day above 364, a quirk commbench does not copy)
		last := 366
		if re.SubexpIndex("y") >= 0 && !(y%4 == 0 && (y%100 != 0 || y%400 == 0)) {
			last = 365
		}
		if doy < 1 || doy > last {
			if re.SubexpIndex("y") >= 0 {
				return fmt.Sprintf("%d is not a valid day of the year %d", doy, y)
			}
			return fmt.Sprintf("%d is not a valid day of the year", doy)
		}
	}
	if mo == 0 || d == 0 {
		return ""
	}
	year := y
	if re.SubexpIndex("y") < 0 {
		year = 2000 // a leap year: without a year, 29 February exists
	}
	if t := time.Date(year, time.Month(mo), d, 0, 0, 0, 0, time.UTC); t.Day() != d {
		if re.SubexpIndex("y") < 0 {
			return fmt.Sprintf("%02d is not a valid day for month %02d", d, mo)
		}
		return fmt.Sprintf("%02d is not a valid day for month %02d in year %d", d, mo, y)
	}
	return ""
}

const (
	monthNames = `(?i:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)`
	monthFull  = `(?i:January|February|March|April|May|June|July|August|September|October|November|December)`
	dayNames   = `(?i:Mon|Tue|Wed|Thu|Fri|Sat|Sun)`
	dayFull    = `(?i:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)`
)

// dateField is the expression of one pattern field of n letters. Numeric fields take the digit
// counts pact-reference's parser takes (pact_models time_utils, validate_datetime): a one- or
// two-letter field one or two digits ("M" and "MM" both take 1 and 01), a year of three or more
// letters one to that many digits, a fraction of n letters one to n digits. Zones: X and x
// +HH[mm] (X also Z), XX and xx +HHmm, XXX and xxx +HH:mm, Z to ZZZ +HHmm, as Java defines them.
func dateField(c rune, n int) (string, error) {
	const (
		hh = `([01]\d|2[0-3])`
		mm = `[0-5]\d`
	)
	switch c {
	case 'y', 'u', 'Y':
		switch {
		case n == 1:
			return `\d{1,9}`, nil
		case n == 2:
			return `\d{2}`, nil
		}
		return fmt.Sprintf(`\d{1,%d}`, n), nil
	case 'M', 'L':
		switch {
		case n >= 4:
			return monthFull, nil
		case n == 3:
			return monthNames, nil
		}
		return `(0?[1-9]|1[0-2])`, nil
	case 'd':
		return `(0?[1-9]|[12]\d|3[01])`, nil
	case 'D':
		return `\d{1,3}`, nil
	case 'H':
		return `([01]?\d|2[0-3])`, nil
	case 'k':
		return `(0?[1-9]|1\d|2[0-4])`, nil
	case 'h':
		return `(0?[1-9]|1[0-2])`, nil
	case 'K':
		return `(0?\d|1[01])`, nil
	case 'm':
		return `([0-5]?\d)`, nil
	case 's':
		// 60: a leap second, which Pact's reference implementation accepts
		return `([0-5]?\d|60)`, nil
	case 'S':
		return fmt.Sprintf(`\d{1,%d}`, n), nil
	case 'n':
		return `\d{1,9}`, nil
	case 'A', 'N':
		return `\d+`, nil
	case 'a':
		return `(?i:AM|PM)`, nil
	case 'E', 'e', 'c':
		if n >= 4 {
			return dayFull, nil
		}
		if (c == 'e' || c == 'c') && n <= 2 {
			return `[1-7]`, nil
		}
		return dayNames, nil
	case 'G':
		return `(?i:AD|BC|Anno Domini|Before Christ)`, nil
	case 'w':
		return `\d{1,2}`, nil
	case 'W', 'F', 'q', 'Q':
		return `\d{1,2}`, nil
	case 'X', 'x':
		z := ""
		if c == 'X' {
			z = `Z|`
		}
		switch n {
		case 1:
			return `(` + z + `[+-]` + hh + `(` + mm + `)?)`, nil
		case 2:
			return `(` + z + `[+-]` + hh + mm + `)`, nil
		case 3:
			return `(` + z + `[+-]` + hh + `:` + mm + `)`, nil
		case 4:
			return `(` + z + `[+-]` + hh + mm + `(` + mm + `)?)`, nil
		}
		return `(` + z + `[+-]` + hh + `:` + mm + `(:` + mm + `)?)`, nil
	case 'Z':
		switch {
		case n <= 3:
			return `[+-]` + hh + mm, nil
		case n == 4:
			return `(GMT([+-]` + hh + `:` + mm + `)?|Z)`, nil
		}
		return `(Z|[+-]` + hh + `:` + mm + `)`, nil
	case 'z', 'v':
		return `[A-Za-z][A-Za-z0-9/_+\-]*`, nil
	case 'O':
		return `GMT([+-]\d{1,2}(:\d{2})?)?`, nil
	case 'V':
		return `[A-Za-z][A-Za-z0-9/_+\-]*`, nil
	}
	return "", fmt.Errorf("pattern letter %q is not supported", string(c))
}
