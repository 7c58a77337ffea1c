package bench

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unicode"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/commbench/commbench/drivers"
)

// Error classes that Classify returns; protocol classes are built as "http_5xx",
// "grpc_UNAVAILABLE" (gRPC code names as in the gRPC status spec) and "kafka_<ERROR_NAME>".
const (
	ClassTimeout           = "timeout"
	ClassCanceled          = "canceled"
	ClassConnectionRefused = "connection_refused"
	ClassConnectionReset   = "connection_reset"
	ClassBrokerNack        = "broker_nack"
	ClassReturned          = "returned"
	ClassConnectionLost    = "connection_lost" // drivers.ErrUnreachable: the peer's connection was lost
	ClassOther             = "other"
)

// Sentinels that messaging operations wrap (fmt.Errorf("...: %w", bench.ErrNack)) so that Classify
// files them under ClassBrokerNack and ClassReturned.
var (
	// ErrNack: the broker refused a message (AMQP basic.nack on a publisher confirm). It is
	// drivers.ErrNack itself, which drivers/amqp wraps in the Publish done callback's error, so a
	// driver's nack classifies as broker_nack with no translation.
	ErrNack = drivers.ErrNack
	// ErrReturned: an AMQP mandatory message came back unroutable (basic.return).
	ErrReturned = errors.New("message returned unroutable")
)

// Classed is implemented by errors that know their class; Classify returns ErrorClass() for any
// error in the chain that implements it.
type Classed interface {
	ErrorClass() string
}

// StatusError is a response with a failing protocol status: an HTTP status of 400 or more.
// Its class is the status class, "http_4xx" or "http_5xx".
type StatusError struct {
	Code int // HTTP status code
}

func (e *StatusError) Error() string { return "HTTP status " + strconv.Itoa(e.Code) }

// ErrorClass returns "http_4xx" for 400-499 and "http_5xx" for 500-599 ("http_NNN" otherwise).
func (e *StatusError) ErrorClass() string {
	if e.Code >= 100 && e.Code < 600 {
		return "http_" + strconv.Itoa(e.Code/100) + "xx"
	}
	return "http_" + strconv.Itoa(e.Code)
}

// Classifier returns the class of err and true, or false when it does not recognise err.
type Classifier func(err error) (class string, ok bool)

var (
	classMu     sync.RWMutex
	classifiers []Classifier
)

// RegisterClassifier adds a classifier consulted by Classify before the built-in rules, in
// registration order (e.g. a Kafka driver mapping its produce errors to "kafka_<ERROR_NAME>").
func RegisterClassifier(c Classifier) {
	classMu.Lock()
	defer classMu.Unlock()
	classifiers = append(classifiers, c)
}

// Classify returns the error class of err for the results' Errors map: the first registered
// classifier that recognises it, else a Classed error in the chain, ErrNack, ErrReturned,
// drivers.ErrUnreachable (connection_lost), a
// timeout (context deadline, net.Error Timeout, gRPC DEADLINE_EXCEEDED), a cancelled context,
// connection refused or reset, a gRPC status ("grpc_<CODE>"), else "other". nil returns "".
func Classify(err error) string {
	if err == nil {
		return ""
	}
	classMu.RLock()
	cs := classifiers
	classMu.RUnlock()
	for _, c := range cs {
		if class, ok := c(err); ok {
			return class
		}
	}
	var ce Classed
	if errors.As(err, &ce) {
		return ce.ErrorClass()
	}
	switch {
	case errors.Is(err, ErrNack):
		return ClassBrokerNack
	case errors.Is(err, ErrReturned):
		return ClassReturned
	case errors.Is(err, drivers.ErrUnreachable):
		return ClassConnectionLost
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ClassTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassConnectionRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, net.ErrClosed):
		return ClassConnectionReset
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ClassTimeout
	}
	if st, ok := status.FromError(err); ok && st.Code() != codes.OK {
		if st.Code() == codes.DeadlineExceeded {
			return ClassTimeout
		}
		return GRPCClass(st.Code())
	}
	if errors.Is(err, context.Canceled) {
		return ClassCanceled
	}
	return ClassOther
}

// StatusCode returns the exact protocol status a failed operation carried, for the results'
// StatusCodes: "HTTP 503" for a StatusError, "gRPC UNAVAILABLE" for a gRPC status (the code
// names of the gRPC status spec), "" for an error without one (timeout, refused connection...).
func StatusCode(err error) string {
	var se *StatusError
	if errors.As(err, &se) {
		return "HTTP " + strconv.Itoa(se.Code)
	}
	if st, ok := status.FromError(err); ok && err != nil && st.Code() != codes.OK {
		return "gRPC " + strings.TrimPrefix(GRPCClass(st.Code()), "grpc_")
	}
	return ""
}

// GRPCClass returns "grpc_" and the code's name as the gRPC status spec writes it
// (codes.Unavailable -> "grpc_UNAVAILABLE").
func GRPCClass(c codes.Code) string {
	name := c.String()
	if strings.HasPrefix(name, "Code(") {
		return "grpc_" + strconv.Itoa(int(c))
	}
	var b strings.Builder
	b.WriteString("grpc_")
	for i, r := range name {
		if i > 0 && unicode.IsUpper(r) {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}
