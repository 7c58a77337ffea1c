package drivers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Options reads the driver-specific Target.Options with typed accessors and collects the first
// problem, in the franz-go kgo style: every knob is read once, then Err reports what was wrong.
// Unknown option names are an error listing the known ones.
type Options struct {
	driver string
	m      map[string]string
	err    error
}

// ReadOptions checks m against the known option names of driver and returns a reader over it.
// The error, when an option is unknown, is reported by Err.
func ReadOptions(driver string, m map[string]string, known ...string) *Options {
	o := &Options{driver: driver, m: m}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !slices.Contains(known, k) {
			sorted := slices.Clone(known)
			slices.Sort(sorted)
			o.fail(fmt.Errorf("%s: unknown option %q (known: %s)", driver, k, strings.Join(sorted, ", ")))
		}
	}
	return o
}

func (o *Options) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

// Err returns the first problem met: an unknown option or a value that does not parse.
func (o *Options) Err() error { return o.err }

// Has reports whether the option was given.
func (o *Options) Has(name string) bool { _, ok := o.m[name]; return ok }

// String returns the option's value, or def when it is not given.
func (o *Options) String(name, def string) string {
	if v, ok := o.m[name]; ok {
		return v
	}
	return def
}

// Enum returns the option's value, which must be one of allowed, or def when it is not given.
func (o *Options) Enum(name, def string, allowed ...string) string {
	v, ok := o.m[name]
	if !ok {
		return def
	}
	if !slices.Contains(allowed, v) {
		o.fail(fmt.Errorf("%s: option %s=%q: expected one of %s", o.driver, name, v, strings.Join(allowed, ", ")))
		return def
	}
	return v
}

// Bool returns the option as a boolean (strconv.ParseBool: true, false, 1, 0), or def.
func (o *Options) Bool(name string, def bool) bool {
	v, ok := o.m[name]
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		o.fail(fmt.Errorf("%s: option %s=%q: expected true or false", o.driver, name, v))
		return def
	}
	return b
}

// Int returns the option as an integer in [lo, hi], or def.
func (o *Options) Int(name string, def, lo, hi int) int {
	v, ok := o.m[name]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		o.fail(fmt.Errorf("%s: option %s=%q: expected an integer from %d to %d", o.driver, name, v, lo, hi))
		return def
	}
	return n
}

// Duration returns the option as a Go duration ("250ms", "5s"; a bare number is milliseconds), or def.
// Negative durations are refused.
func (o *Options) Duration(name string, def time.Duration) time.Duration {
	v, ok := o.m[name]
	if !ok {
		return def
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Millisecond
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		o.fail(fmt.Errorf("%s: option %s=%q: expected a duration such as 250ms or 5s", o.driver, name, v))
		return def
	}
	return d
}
