package scenario

import "testing"

func TestSplitHeader(t *testing.T) {
	for _, tc := range []struct {
		in          string
		equals      bool
		name, value string
		ok          bool
	}{
		{"Authorization: Bearer x:y", false, "Authorization", "Bearer x:y", true},
		{" X-Id :  42 ", false, "X-Id", "42", true},
		{"X-Id=42", false, "", "", false},
		{"X-Id=42", true, "X-Id", "42", true},
		{"X-Q: a=b", true, "X-Q", "a=b", true},
		{": v", false, "", "v", false},
		{"=v", true, "", "v", false},
		{"no separator", true, "", "", false},
	} {
		name, value, ok := SplitHeader(tc.in, tc.equals)
		if ok != tc.ok || (ok && (name != tc.name || value != tc.value)) {
			t.Errorf("SplitHeader(%q, %v) = %q, %q, %v", tc.in, tc.equals, name, value, ok)
		}
	}
}
