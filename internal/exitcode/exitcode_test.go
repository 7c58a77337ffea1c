package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestCode(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, OK},
		{"failed", Failedf("2 interactions failed"), Failed},
		{"usage", Usagef("bad flag %q", "--x"), Usage},
		{"unavailable", Unavailablef("dial: %w", errors.New("refused")), Unavailable},
		{"wrapped usage", fmt.Errorf("load: %w", Usagef("bad file")), Usage},
		{"plain error", errors.New("boom"), Unavailable},
		{"cancelled", fmt.Errorf("run: %w", context.Canceled), Unavailable},
		{"bare code", New(Failed, nil), Failed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Code(tt.err); got != tt.want {
				t.Fatalf("Code(%v) = %d, want %d", tt.err, got, tt.want)
			}
		})
	}
	if !Silent(New(Failed, nil)) || Silent(Failedf("x")) {
		t.Fatal("Silent misreports")
	}
}
