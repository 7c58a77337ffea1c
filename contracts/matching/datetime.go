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

func compileDateTime(kind, pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		const date = `(?P<y>\d{4})-(?P<M>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])`
		const tm = `([01]\d|2[0-3]):[0-5]\d(:([0-5]\d|60)(\.\d{1,9})?)?`
		const zone = `(Z|[+-]([01]\d|2[0-3]):?[0-5]\d)?`
		switch kind {
		case "date":
			return regexp.MustCompile(`^` + date + `$`), nil
		case "time":
			return regexp.MustCompile(`^` + tm + zone + `$`), nil
		default:
			return regexp.MustCompile(`^` + date + `[T ]` + tm + zone + `$`), nil
		}
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

// dateGroup names the capture of a year (4 or more digits), numeric month or day-of-month field.
func dateGroup(c rune, n int) string {
	switch {
	case (c == 'y' || c == 'u') && n >= 3:
		return "y"
	case (c == 'M' || c == 'L') && n <= 2:
		return "M"
	case c == 'd':
		return "d"
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
	var y, mo, d int
	for i, name := range re.SubexpNames() {
		switch name {
		case "y":
			y, _ = strconv.Atoi(m[i])
		case "M":
			mo, _ = strconv.Atoi(m[i])
		case "d":
			d, _ = strconv.Atoi(m[i])
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

func dateField(c rune, n int) (string, error) {
	num := func(one, two string) string {
		if n == 1 {
			return one
		}
		return two
	}
	switch c {
	case 'y', 'u', 'Y':
		if n == 2 {
			return `\d{2}`, nil
		}
		if n == 1 {
			return `\d{1,9}`, nil
		}
		return fmt.Sprintf(`\d{%d,9}`, n), nil
	case 'M', 'L':
		switch {
		case n >= 4:
			return monthFull, nil
		case n == 3:
			return monthNames, nil
		}
		return num(`([1-9]|1[0-2])`, `(0[1-9]|1[0-2])`), nil
	case 'd':
		return num(`([1-9]|[12]\d|3[01])`, `(0[1-9]|[12]\d|3[01])`), nil
	case 'D':
		return `\d{1,3}`, nil
	case 'H':
		return num(`(1?\d|2[0-3])`, `([01]\d|2[0-3])`), nil
	case 'k':
		return num(`([1-9]|1\d|2[0-4])`, `(0[1-9]|1\d|2[0-4])`), nil
	case 'h':
		return num(`([1-9]|1[0-2])`, `(0[1-9]|1[0-2])`), nil
	case 'K':
		return num(`(\d|1[01])`, `(0\d|1[01])`), nil
	case 'm':
		return num(`([1-5]?\d)`, `[0-5]\d`), nil
	case 's':
		// 60: a leap second, which Pact's reference implementation accepts
		return num(`([1-5]?\d|60)`, `([0-5]\d|60)`), nil
	case 'S':
		return fmt.Sprintf(`\d{%d}`, n), nil
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
	case 'X':
		return `(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)`, nil
	case 'x':
		return `([+-]([01]\d|2[0-3])(:?[0-5]\d)?)`, nil
	case 'Z':
		return `([+-]([01]\d|2[0-3]):?[0-5]\d|Z|GMT)`, nil
	case 'z', 'v':
		return `[A-Za-z][A-Za-z0-9/_+\-]*`, nil
	case 'O':
		return `GMT([+-]\d{1,2}(:\d{2})?)?`, nil
	case 'V':
		return `[A-Za-z][A-Za-z0-9/_+\-]*`, nil
	}
	return "", fmt.Errorf("pattern letter %q is not supported", string(c))
}
