package matching

import "testing"

// referenceDateCases are date, time and timestamp rule verdicts of Pact's reference verifier
// (pact verifier from @pact-foundation/pact-cli-linux-x64 18.1.2, pact_models' validate_datetime),
// recorded by verifying a V3 pact with one interaction per case against a provider answering
// {"v": value} for the rule at $.v. commbench must give the same verdict, except where
// specQuirks says the reference departs from the specification (Java's DateTimeFormatter, which
// the Pact specification names for these formats).
var referenceDateCases = []struct {
	kind, format, value string
	reference           bool
}{
	{"date", "", "2024-02-29", true},
	{"date", "", "2024-2-29", true},
	{"date", "", "20240229", false},
	{"date", "", "2024-02-30", false},
	{"date", "", "24-02-29", true},
	{"time", "", "10:20:30", true},
	{"time", "", "10:20", false},
	{"time", "", "10:20:30.123", false},
	{"time", "", "10:20:30Z", false},
	{"time", "", "10:20:30+02:00", false},
	{"time", "", "1:20:30", true},
	{"datetime", "", "2024-02-29T10:20:30", false},
	{"datetime", "", "2024-02-29T10:20:30Z", true},
	{"datetime", "", "2024-02-29T10:20:30.123Z", false},
	{"datetime", "", "2024-02-29T10:20:30+02:00", true},
	{"datetime", "", "2024-02-29 10:20:30", false},
	{"datetime", "", "2024-02-29T10:20", false},
	{"datetime", "", "2024-02-29T10:20:30.123456789+0200", false},
	{"date", "yyyy-MM-dd", "2024-1-05", true},
	{"date", "yyyy-MM-dd", "2024-01-5", true},
	{"date", "yyyy-MM-dd", "12024-01-05", false},
	{"date", "yyyy-MM-dd", "024-01-05", true},
	{"date", "yy-MM-dd", "24-01-05", true},
	{"date", "yy-MM-dd", "2024-01-05", false},
	{"date", "d/M/yyyy", "5/1/2024", true},
	{"date", "d/M/yyyy", "05/01/2024", true},
	{"date", "dd/MM/yyyy", "5/1/2024", true},
	{"time", "HH:mm:ss", "7:05:09", true},
	{"time", "HH:mm:ss", "07:5:09", true},
	{"time", "H:mm", "7:05", true},
	{"time", "HH:mm:ss", "24:00:00", false},
	{"time", "HH:mm:ss", "23:59:60", true},
	{"time", "HH:mm:ss.SSS", "10:20:30.123", true},
	{"time", "HH:mm:ss.SSS", "10:20:30.12", true},
	{"time", "HH:mm:ss.SSS", "10:20:30.1234", false},
	{"time", "HH:mm:ss.S", "10:20:30.123", false},
	{"time", "HH:mm:ss.SSSSSS", "10:20:30.123456", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssXXX", "2024-01-05T10:20:30Z", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssXXX", "2024-01-05T10:20:30+02:00", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssXXX", "2024-01-05T10:20:30+0200", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssX", "2024-01-05T10:20:30+02", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssX", "2024-01-05T10:20:30Z", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssZ", "2024-01-05T10:20:30+0200", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssZ", "2024-01-05T10:20:30+02:00", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssZ", "2024-01-05T10:20:30Z", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssxxx", "2024-01-05T10:20:30+02:00", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ssxxx", "2024-01-05T10:20:30Z", false},
	{"datetime", "yyyy-MM-dd HH:mm:ss z", "2024-01-05 10:20:30 UTC", false},
	{"datetime", "yyyy-MM-dd HH:mm:ss z", "2024-01-05 10:20:30 GMT", true},
	{"datetime", "yyyy-MM-dd HH:mm:ss z", "2024-01-05 10:20:30 PST", true},
	{"datetime", "yyyy-MM-dd HH:mm:ss VV", "2024-01-05 10:20:30 Europe/Paris", true},
	{"date", "yyyy-DDD", "2024-060", true},
	{"date", "yyyy-DDD", "2024-366", false},
	{"date", "yyyy-DDD", "2023-365", false},
	{"date", "yyyy-DDD", "2023-366", false},
	{"date", "yyyy-D", "2024-60", true},
	{"date", "EEE, dd MMM yyyy", "Mon, 05 Feb 2024", true},
	{"date", "EEEE, dd MMMM yyyy", "Monday, 05 February 2024", true},
	{"date", "dd MMM yyyy", "05 feb 2024", true},
	{"time", "hh:mm a", "10:20 PM", true},
	{"time", "hh:mm a", "10:20 pm", true},
	{"time", "hh:mm a", "13:20 PM", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-01-05T10:20:30.123+02:00", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-01-05T10:20:30+02:00", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2024-01-05T10:20:30", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2024-01-05T10:20:30.123", false},
	{"date", "yyyyMMdd", "20240105", true},
	{"date", "yyyy-MM-dd", "2024-02-30", false},
	{"date", "yyyy-MM-dd", "2023-02-29", false},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss.nnnnnnnnn", "2024-01-05T10:20:30.123456789", true},
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS", "2024-01-05T10:20:30.123456789", true},
	{"date", "G yyyy", "AD 2024", true},
	{"date", "u-MM-dd", "2024-01-05", false},
	{"date", "YYYY-ww", "2024-05", true}}

// specQuirks are the cases where commbench follows the specification (Java DateTimeFormatter)
// instead of the reference, with why.
var specQuirks = map[[3]string]string{
	{"date", "yyyy-DDD", "2024-366"}:                                       "day 366 of a leap year exists; the reference refuses every day-of-year above 364",
	{"date", "yyyy-DDD", "2023-365"}:                                       "day 365 of a common year (31 December) exists; the reference refuses it",
	{"datetime", "yyyy-MM-dd HH:mm:ss z", "2024-01-05 10:20:30 UTC"}:       "UTC is a zone name Java's z parses; the reference knows GMT and the US abbreviations only",
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2024-01-05T10:20:30"}:     "[...] is an optional section in Java; the reference refuses every value for a pattern holding one",
	{"datetime", "yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2024-01-05T10:20:30.123"}: "[...] is an optional section in Java; the reference refuses every value for a pattern holding one",
	{"date", "u-MM-dd", "2024-01-05"}:                                      "u (year) with one letter takes any number of digits in Java; the reference takes one digit",
}

// TestDateTimeAsReference holds commbench's date, time and timestamp rules to the reference's
// verdicts (defaults, digit counts, fractions, zones, day of year), spec quirks aside.
func TestDateTimeAsReference(t *testing.T) {
	for _, c := range referenceDateCases {
		r := &Rule{Match: c.kind, Format: c.format}
		got := r.Check(nil, c.value, false) == nil
		want := c.reference
		if why, ok := specQuirks[[3]string{c.kind, c.format, c.value}]; ok {
			want = !c.reference
			if got == want {
				t.Logf("%s %q %q: reference %v, commbench %v (specification): %s", c.kind, c.format, c.value, c.reference, got, why)
			}
		}
		if got != want {
			t.Errorf("%s %q %q: commbench %v, want %v (reference %v)", c.kind, c.format, c.value, got, want, c.reference)
		}
	}
}
