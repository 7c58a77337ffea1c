package matching

import (
	"strings"
	"testing"
)

func TestDateRulesCheckTheDayExists(t *testing.T) {
	tests := []struct {
		kind, format, value string
		want                string // "" passes; else a fragment of the error
	}{
		{"date", "yyyy-MM-dd", "2024-02-29", ""},
		{"date", "yyyy-MM-dd", "2025-02-29", "29 is not a valid day for month 02 in year 2025"},
		{"date", "yyyy-MM-dd", "2025-02-30", "30 is not a valid day for month 02 in year 2025"},
		{"date", "yyyy-MM-dd", "2025-04-31", "not a valid day"},
		{"date", "dd/MM/yyyy", "31/12/2025", ""},
		{"date", "dd.MM", "29.02", ""},
		{"date", "dd.MM", "30.02", "30 is not a valid day for month 02"},
		{"date", "", "2025-02-30", "not a valid day"},
		{"date", "yyyy-MM-dd", "2025-13-01", "to match a date pattern of 'yyyy-MM-dd'"},
		{"datetime", "yyyy-MM-dd'T'HH:mm:ss", "2025-06-31T10:00:00", "not a valid day"},
		{"time", "HH:mm:ss", "23:59:60", ""},
		{"time", "HH:mm:ss", "23:59:61", "to match a time pattern of"},
		{"time", "HH:mm", "23:60", "to match a time pattern of"},
		{"time", "", "23:59:60", ""},
	}
	for _, tt := range tests {
		t.Run(tt.kind+" "+tt.format+" "+tt.value, func(t *testing.T) {
			r := &Rule{Match: tt.kind, Format: tt.format}
			err := r.Check(nil, tt.value, false)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("rejected: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
