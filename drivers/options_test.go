package drivers

import (
	"strings"
	"testing"
	"time"
)

func TestOptions(t *testing.T) {
	cases := []struct {
		name    string
		in      map[string]string
		read    func(o *Options) any
		want    any
		wantErr string
	}{
		{name: "default", in: nil, read: func(o *Options) any { return o.Int("n", 7, 0, 10) }, want: 7},
		{name: "int", in: map[string]string{"n": "3"}, read: func(o *Options) any { return o.Int("n", 7, 0, 10) }, want: 3},
		{name: "int out of range", in: map[string]string{"n": "11"}, read: func(o *Options) any { return o.Int("n", 7, 0, 10) }, want: 7, wantErr: `n="11": expected an integer from 0 to 10`},
		{name: "bool", in: map[string]string{"b": "true"}, read: func(o *Options) any { return o.Bool("b", false) }, want: true},
		{name: "bad bool", in: map[string]string{"b": "yes"}, read: func(o *Options) any { return o.Bool("b", false) }, want: false, wantErr: "expected true or false"},
		{name: "duration", in: map[string]string{"d": "250ms"}, read: func(o *Options) any { return o.Duration("d", time.Second) }, want: 250 * time.Millisecond},
		{name: "bare milliseconds", in: map[string]string{"d": "5"}, read: func(o *Options) any { return o.Duration("d", time.Second) }, want: 5 * time.Millisecond},
		{name: "negative duration", in: map[string]string{"d": "-1s"}, read: func(o *Options) any { return o.Duration("d", time.Second) }, want: time.Second, wantErr: "expected a duration"},
		{name: "enum", in: map[string]string{"e": "b"}, read: func(o *Options) any { return o.Enum("e", "a", "a", "b") }, want: "b"},
		{name: "bad enum", in: map[string]string{"e": "c"}, read: func(o *Options) any { return o.Enum("e", "a", "a", "b") }, want: "a", wantErr: "expected one of a, b"},
		{name: "unknown", in: map[string]string{"zz": "1"}, read: func(o *Options) any { return o.String("n", "x") }, want: "x", wantErr: `unknown option "zz" (known: b, d, e, n)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := ReadOptions("test", tc.in, "n", "b", "d", "e")
			if got := tc.read(o); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
			err := o.Err()
			if (err == nil) != (tc.wantErr == "") || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
