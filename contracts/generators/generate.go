package generators

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"

	"github.com/commbench/commbench/contracts/jsonpath"
	"github.com/google/uuid"
)

// Context is what generators draw from.
type Context struct {
	// ProviderState holds the values returned by the provider state change call (ProviderState
	// generator, "${name}" expressions).
	ProviderState map[string]any
	// MockServerURL is the base URL of the mock server (MockServerURL generator), e.g.
	// "http://127.0.0.1:8080".
	MockServerURL string
	// Now is the clock for Date, Time and DateTime (default time.Now).
	Now func() time.Time
	// Rand is the random source (default a fresh PCG seeded randomly); set it for repeatable output.
	Rand *rand.Rand
	// Warn, when set, makes a ProviderState generator whose expression names a value missing
	// from ProviderState keep the current (example) value: Warn receives the reason and
	// Generate returns the current value with no error. Unset, the missing value is an error.
	// Pact's verifier keeps the example (pact-reference pact_matching::generators,
	// generate_message and apply_generators_to_*: `if let Ok(v) = generator.generate_value(..)`).
	Warn func(msg string)
}

func (c *Context) rnd() *rand.Rand {
	if c.Rand == nil {
		c.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	return c.Rand
}

func (c *Context) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Generate produces a value for g. current is the value being replaced (its type guides
// ProviderState conversions). Numbers are json.Number so they serialise exactly.
func (g Generator) Generate(ctx *Context, current any) (any, error) {
	r := ctx.rnd()
	a := g.Attrs
	intAttr := func(k string, def int) int {
		if f, ok := num(a[k]); ok {
			return int(f)
		}
		if s, ok := a[k].(string); ok {
			if n, err := strconv.Atoi(s); err == nil {
				return n
			}
		}
		return def
	}
	switch g.Type {
	case "RandomInt":
		lo, hi := intAttr("min", 0), intAttr("max", 2147483647)
		if hi < lo {
			return nil, fmt.Errorf("RandomInt: max %d is below min %d", hi, lo)
		}
		return json.Number(strconv.FormatInt(int64(lo)+r.Int64N(int64(hi-lo)+1), 10)), nil
	case "RandomDecimal":
		digits := intAttr("digits", 10)
		if digits < 1 || digits > 64 {
			return nil, fmt.Errorf("RandomDecimal: digits %d out of range 1..64", digits)
		}
		if digits == 1 {
			return json.Number(strconv.Itoa(r.IntN(10))), nil
		}
		var b strings.Builder
		b.WriteByte(byte('1' + r.IntN(9)))
		for i := 1; i < digits; i++ {
			b.WriteByte(byte('0' + r.IntN(10)))
		}
		s := b.String()
		p := 1 + r.IntN(digits-1)
		return json.Number(s[:p] + "." + s[p:]), nil
	case "RandomHexadecimal":
		digits := intAttr("digits", 10)
		const hex = "0123456789abcdef"
		return randomFrom(r, hex, digits), nil
	case "RandomString":
		const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		return randomFrom(r, alnum, intAttr("size", 20)), nil
	case "RandomBoolean":
		return r.IntN(2) == 1, nil
	case "Regex":
		re, _ := a["regex"].(string)
		return FromRegex(r, re)
	case "Uuid":
		u := uuid.Must(uuid.NewRandomFromReader(randReader{r}))
		f, _ := a["format"].(string)
		switch f {
		case "simple":
			return strings.ReplaceAll(u.String(), "-", ""), nil
		case "upper-case-hyphenated":
			return strings.ToUpper(u.String()), nil
		case "URN":
			return u.URN(), nil
		case "", "lower-case-hyphenated":
			return u.String(), nil
		}
		return nil, fmt.Errorf("Uuid: format %q: expected simple, lower-case-hyphenated, upper-case-hyphenated or URN", f)
	case "Date", "Time", "DateTime":
		t := ctx.now()
		if expr, _ := a["expression"].(string); expr != "" {
			var err error
			if t, err = evalTimeExpr(t, expr); err != nil {
				return nil, fmt.Errorf("%s: %w", g.Type, err)
			}
		}
		f, _ := a["format"].(string)
		if f == "" {
			f = map[string]string{"Date": "yyyy-MM-dd", "Time": "HH:mm:ss", "DateTime": "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"}[g.Type]
		}
		return FormatJava(t, f)
	case "ProviderState":
		expr, _ := a["expression"].(string)
		v, err := expand(expr, ctx.ProviderState)
		if err != nil {
			if ctx.Warn != nil && errors.Is(err, errMissingStateValue) {
				ctx.Warn(err.Error() + "; the pact's example value is kept")
				return current, nil
			}
			return nil, err
		}
		dt, _ := a["dataType"].(string)
		return convert(v, dt, current)
	case "MockServerURL":
		if ctx.MockServerURL == "" {
			return nil, fmt.Errorf("MockServerURL: no mock server URL in the generator context")
		}
		example, _ := a["example"].(string)
		reStr, _ := a["regex"].(string)
		re, err := regexp.Compile(reStr)
		if err != nil {
			return nil, fmt.Errorf("MockServerURL: regex %q: %w", reStr, err)
		}
		m := re.FindStringSubmatch(example)
		if len(m) < 2 {
			return nil, fmt.Errorf("MockServerURL: regex %q has no group matching the example %q", reStr, example)
		}
		return strings.TrimRight(ctx.MockServerURL, "/") + "/" + strings.TrimLeft(m[1], "/"), nil
	}
	return nil, fmt.Errorf("generator type %q is not supported", g.Type)
}

type randReader struct{ r *rand.Rand }

func (rr randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(rr.r.Uint32())
	}
	return len(p), nil
}

func randomFrom(r *rand.Rand, alphabet string, n int) string {
	if n < 0 {
		n = 0
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// errMissingStateValue: an expression names a value the provider state calls did not return.
var errMissingStateValue = errors.New("not among the provider state values")

var placeholder = regexp.MustCompile(`\$\{([^}]*)\}`)

// expand substitutes ${name} with provider state values. An expression that is exactly one
// placeholder yields the value itself (keeping its JSON type).
func expand(expr string, values map[string]any) (any, error) {
	if m := placeholder.FindStringSubmatch(expr); m != nil && m[0] == expr {
		v, ok := values[m[1]]
		if !ok {
			return nil, fmt.Errorf("ProviderState: %q is %w", m[1], errMissingStateValue)
		}
		return v, nil
	}
	var missing []string
	out := placeholder.ReplaceAllStringFunc(expr, func(s string) string {
		k := s[2 : len(s)-1]
		v, ok := values[k]
		if !ok {
			missing = append(missing, strconv.Quote(k))
			return s
		}
		if str, ok := v.(string); ok {
			return str
		}
		b, _ := json.Marshal(v)
		return string(b)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("ProviderState: %s %w", strings.Join(missing, ", "), errMissingStateValue)
	}
	return out, nil
}

func convert(v any, dataType string, current any) (any, error) {
	s := fmt.Sprint(v)
	if n, ok := v.(json.Number); ok {
		s = n.String()
	}
	switch strings.ToUpper(dataType) {
	case "STRING":
		return s, nil
	case "INTEGER":
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return nil, fmt.Errorf("ProviderState: %q is not an integer", s)
		}
		return json.Number(s), nil
	case "DECIMAL", "FLOAT":
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return nil, fmt.Errorf("ProviderState: %q is not a number", s)
		}
		return json.Number(s), nil
	case "BOOLEAN":
		b, err := strconv.ParseBool(s)
		if err != nil {
			return nil, fmt.Errorf("ProviderState: %q is not a boolean", s)
		}
		return b, nil
	}
	return v, nil
}

// FromRegex generates a random string matching re (repetitions capped at 8 extra).
func FromRegex(r *rand.Rand, re string) (string, error) {
	t, err := syntax.Parse(re, syntax.Perl)
	if err != nil {
		return "", fmt.Errorf("Regex generator: %q: %w", re, err)
	}
	var b strings.Builder
	genRegex(r, t.Simplify(), &b, 0)
	return b.String(), nil
}

func genRegex(r *rand.Rand, t *syntax.Regexp, b *strings.Builder, depth int) {
	if depth > 64 {
		return
	}
	switch t.Op {
	case syntax.OpLiteral:
		b.WriteString(string(t.Rune))
	case syntax.OpCharClass:
		if len(t.Rune) < 2 {
			return
		}
		// prefer printable ASCII inside the class
		var total int
		for i := 0; i+1 < len(t.Rune); i += 2 {
			lo, hi := clampRange(t.Rune[i], t.Rune[i+1])
			if lo <= hi {
				total += int(hi - lo + 1)
			}
		}
		if total == 0 {
			b.WriteRune(t.Rune[0])
			return
		}
		n := r.IntN(total)
		for i := 0; i+1 < len(t.Rune); i += 2 {
			lo, hi := clampRange(t.Rune[i], t.Rune[i+1])
			if lo > hi {
				continue
			}
			if size := int(hi - lo + 1); n < size {
				b.WriteRune(lo + rune(n))
				return
			} else {
				n -= size
			}
		}
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte(byte('a' + r.IntN(26)))
	case syntax.OpCapture:
		genRegex(r, t.Sub[0], b, depth+1)
	case syntax.OpConcat:
		for _, s := range t.Sub {
			genRegex(r, s, b, depth+1)
		}
	case syntax.OpAlternate:
		genRegex(r, t.Sub[r.IntN(len(t.Sub))], b, depth+1)
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		lo, hi := 0, 8
		switch t.Op {
		case syntax.OpPlus:
			lo = 1
		case syntax.OpQuest:
			hi = 1
		case syntax.OpRepeat:
			lo, hi = t.Min, t.Max
			if hi < 0 {
				hi = lo + 8
			}
		}
		n := lo
		if hi > lo {
			n += r.IntN(hi - lo + 1)
		}
		for i := 0; i < n; i++ {
			genRegex(r, t.Sub[0], b, depth+1)
		}
	}
}

func clampRange(lo, hi rune) (rune, rune) {
	if hi > 0x7e && lo <= 0x7e {
		hi = 0x7e
	}
	if lo < 0x20 && hi >= 0x20 {
		lo = 0x20
	}
	return lo, hi
}

var timeExpr = regexp.MustCompile(`^\s*(now|today|tomorrow|yesterday)?\s*(?:([+-])\s*(\d+)\s*(second|minute|hour|day|week|month|year)s?)?\s*$`)

// evalTimeExpr evaluates the simple Pact date expressions: now/today/tomorrow/yesterday
// optionally followed by "+ N unit" or "- N unit".
func evalTimeExpr(t time.Time, expr string) (time.Time, error) {
	m := timeExpr.FindStringSubmatch(strings.ToLower(expr))
	if m == nil {
		return t, fmt.Errorf("expression %q: expected e.g. \"today + 1 day\"", expr)
	}
	switch m[1] {
	case "tomorrow":
		t = t.AddDate(0, 0, 1)
	case "yesterday":
		t = t.AddDate(0, 0, -1)
	}
	if m[2] != "" {
		n, _ := strconv.Atoi(m[3])
		if m[2] == "-" {
			n = -n
		}
		switch m[4] {
		case "second":
			t = t.Add(time.Duration(n) * time.Second)
		case "minute":
			t = t.Add(time.Duration(n) * time.Minute)
		case "hour":
			t = t.Add(time.Duration(n) * time.Hour)
		case "day":
			t = t.AddDate(0, 0, n)
		case "week":
			t = t.AddDate(0, 0, 7*n)
		case "month":
			t = t.AddDate(0, n, 0)
		case "year":
			t = t.AddDate(n, 0, 0)
		}
	}
	return t, nil
}

// FormatJava formats t with a Java DateTimeFormatter pattern (the letters Pact uses: y u M d H h
// m s S a E X x Z and quoted literals).
func FormatJava(t time.Time, pattern string) (string, error) {
	var b strings.Builder
	rs := []rune(pattern)
	pad := func(v, n int) string { return fmt.Sprintf("%0*d", n, v) }
	for i := 0; i < len(rs); {
		c := rs[i]
		if c == '\'' {
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j == i+1 {
				b.WriteByte('\'')
			} else {
				b.WriteString(string(rs[i+1 : min(j, len(rs))]))
			}
			i = j + 1
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteRune(c)
			i++
			continue
		}
		n := 1
		for i+n < len(rs) && rs[i+n] == c {
			n++
		}
		i += n
		switch c {
		case 'y', 'u', 'Y':
			if n == 2 {
				b.WriteString(pad(t.Year()%100, 2))
			} else {
				b.WriteString(pad(t.Year(), n))
			}
		case 'M', 'L':
			switch {
			case n >= 4:
				b.WriteString(t.Month().String())
			case n == 3:
				b.WriteString(t.Month().String()[:3])
			default:
				b.WriteString(pad(int(t.Month()), n))
			}
		case 'd':
			b.WriteString(pad(t.Day(), n))
		case 'D':
			b.WriteString(pad(t.YearDay(), n))
		case 'H':
			b.WriteString(pad(t.Hour(), n))
		case 'k':
			h := t.Hour()
			if h == 0 {
				h = 24
			}
			b.WriteString(pad(h, n))
		case 'h':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			b.WriteString(pad(h, n))
		case 'K':
			b.WriteString(pad(t.Hour()%12, n))
		case 'm':
			b.WriteString(pad(t.Minute(), n))
		case 's':
			b.WriteString(pad(t.Second(), n))
		case 'S':
			frac := fmt.Sprintf("%09d", t.Nanosecond())
			for len(frac) < n {
				frac += "0"
			}
			b.WriteString(frac[:n])
		case 'a':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'E':
			if n >= 4 {
				b.WriteString(t.Weekday().String())
			} else {
				b.WriteString(t.Weekday().String()[:3])
			}
		case 'X', 'x', 'Z':
			_, off := t.Zone()
			if off == 0 && c == 'X' {
				b.WriteString("Z")
				break
			}
			sign := '+'
			if off < 0 {
				sign, off = '-', -off
			}
			sep := ":"
			if c == 'Z' || n == 1 || n == 2 {
				sep = ""
			}
			fmt.Fprintf(&b, "%c%02d%s%02d", sign, off/3600, sep, off%3600/60)
		default:
			return "", fmt.Errorf("date/time format %q: pattern letter %q is not supported", pattern, string(c))
		}
	}
	return b.String(), nil
}

// ApplyJSON applies body generators to a JSON data model value in place where possible and
// returns the result: each generator replaces every value its JSONPath selects exactly
// (a root "$" generator replaces the whole value).
func ApplyJSON(c *Category, v any, ctx *Context) (any, error) {
	if c == nil || len(c.Entries) == 0 {
		return v, nil
	}
	type gen struct {
		path jsonpath.Path
		g    Generator
	}
	var gens []gen
	for k, g := range c.Entries {
		p, err := jsonpath.Parse(k)
		if err != nil {
			return nil, fmt.Errorf("generator %q: %w", k, err)
		}
		gens = append(gens, gen{p, g})
	}
	var walk func(path []string, v any) (any, error)
	walk = func(path []string, v any) (any, error) {
		for _, g := range gens {
			if g.path.Len() == len(path) && g.path.Weight(path) > 0 {
				return g.g.Generate(ctx, v)
			}
		}
		switch x := v.(type) {
		case map[string]any:
			for k, cv := range x {
				nv, err := walk(append(path[:len(path):len(path)], k), cv)
				if err != nil {
					return nil, err
				}
				x[k] = nv
			}
		case []any:
			for i, cv := range x {
				nv, err := walk(append(path[:len(path):len(path)], strconv.Itoa(i)), cv)
				if err != nil {
					return nil, err
				}
				x[i] = nv
			}
		}
		return v, nil
	}
	return walk([]string{"$"}, v)
}

// Text renders a generated value for a header, query parameter, path or metadata string.
func Text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return fmt.Sprint(v)
}
