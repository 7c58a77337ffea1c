// Package exitcode carries commbench's process exit codes on errors, so that library code and
// commands say what kind of failure happened and cmd/commbench maps it to a code exactly once.
//
// The codes (documented in the README and in `commbench --help`):
//
//	0  OK          success
//	1  Failed      a contract verification failed or a threshold was breached (the run itself worked)
//	2  Usage       usage error or invalid input (bad flag, unreadable or invalid file)
//	3  Unavailable the run could not be carried out (target unreachable, broker refused, aborted)
//	70 Crash       commbench itself crashed (a bug: a recovered panic); please report it
//
// The pattern follows k6's errext: a typed error knows its exit code.
package exitcode

import (
	"context"
	"errors"
	"fmt"
)

// Exit codes returned by the commbench process.
const (
	OK          = 0
	Failed      = 1
	Usage       = 2
	Unavailable = 3
	// Crash: commbench crashed (a Go panic recovered in main), EX_SOFTWARE of BSD sysexits.h,
	// "internal software error": never a verdict on the system under test.
	Crash = 70
)

// Error is an error with an exit code. Err may be nil for a bare code (for example a verification
// that failed and already printed its mismatches).
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// New returns err carrying code. A nil err still carries the code.
func New(code int, err error) error { return &Error{Code: code, Err: err} }

// Usagef returns a usage error (exit 2) with a formatted message; %w wraps as fmt.Errorf does.
func Usagef(format string, a ...any) error { return New(Usage, fmt.Errorf(format, a...)) }

// Failedf returns a verification or threshold failure (exit 1).
func Failedf(format string, a ...any) error { return New(Failed, fmt.Errorf(format, a...)) }

// Unavailablef returns an error for a run that could not be carried out (exit 3).
func Unavailablef(format string, a ...any) error { return New(Unavailable, fmt.Errorf(format, a...)) }

// Code returns the exit code for err: 0 for nil, the code of the outermost *Error in the chain,
// Unavailable for a cancelled or timed-out context (the run was aborted), and Unavailable otherwise
// (an error nobody classified stopped the run).
func Code(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Unavailable
}

// Silent reports whether err carries no message of its own (a bare code), so callers print nothing.
func Silent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Err == nil
}

// IsAborted reports whether err comes from a cancelled context (Ctrl-C).
func IsAborted(err error) bool { return errors.Is(err, context.Canceled) }

// Kind is an exit code as an error value, for errors.Is: errors.Is(err, Kind(Usage)) holds when
// an *Error in err's chain carries code Usage. Packages export their own names for
// the kinds (runner.ErrInvalid, runner.ErrUnavailable).
type Kind int

func (k Kind) Error() string {
	switch int(k) {
	case Failed:
		return "failed"
	case Usage:
		return "invalid input"
	case Unavailable:
		return "unavailable"
	}
	return fmt.Sprintf("exit code %d", int(k))
}

// Is reports whether target is the Kind of e's code.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && int(k) == e.Code
}
