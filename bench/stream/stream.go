// Package stream is the bench.Operation for streaming calls (gRPC server-, client- and
// bidirectional streaming, through a drivers.Streamer): one operation is one whole stream, so the
// engine's latency is per stream (from the intended start of the call to its end), and the
// messages each stream sent and received are counted through bench.MessageCounter
// (results.Totals.MessagesSent, MessagesReceived).
//
// Per stream:
//   - Server: one request message (payload seq), then the responses until the server ends the
//     call, or until Messages responses when Messages > 0 (the call is then cancelled, as ghz's
//     --stream-call-count does, and counts as a success).
//   - Client: Messages request messages (payloads seq*Messages .. seq*Messages+Messages-1), then
//     the server's answer.
//   - Bidi: the same Messages request messages, sent while the responses are read until the
//     server ends the call.
package stream

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/bench/request"
	"github.com/commbench/commbench/drivers"
)

// Kind is the shape of a streaming call; its values are the scenario operation names.
type Kind string

// The streaming call shapes.
const (
	Server Kind = "server-stream"
	Client Kind = "client-stream"
	Bidi   Kind = "bidi-stream"
)

// Config describes the streams of a run.
type Config struct {
	// Conns carry the calls: worker w uses Conns[w % len(Conns)].
	Conns []drivers.Streamer
	// Route is the method, "/pkg.Service/Method".
	Route string
	Kind  Kind
	// Messages per stream: request messages a Client or Bidi stream sends (default 1); for Server,
	// the responses after which the call is cancelled (0: until the server ends it).
	Messages int
	// Body gives the request messages (see the package documentation for their numbers); nil
	// sends empty messages.
	Body payload.Source
	// Check judges the call's final status (request.GRPCStatus); nil: every ended call succeeds.
	Check request.Check
	// Timeout bounds one whole stream (default drivers.DefaultRequestTimeout, 30 s).
	Timeout time.Duration
	// Workers is bench.Config.Workers.
	Workers int
}

// Op is the bench.Operation and bench.MessageCounter. Build it with New.
type Op struct {
	cfg     Config
	workers []worker
}

type worker struct {
	sent, received int // of the worker's last stream
	_              [48]byte
}

// errEnough ends a server stream that delivered the messages asked for.
var errEnough = errors.New("stream: enough messages")

// New checks c and returns the Op. Errors: no connection, no route, an unknown kind, a
// negative message count, workers below 1.
func New(c Config) (*Op, error) {
	switch {
	case len(c.Conns) == 0:
		return nil, errors.New("stream: no connection")
	case c.Route == "":
		return nil, errors.New("stream: no route (method)")
	case c.Kind != Server && c.Kind != Client && c.Kind != Bidi:
		return nil, fmt.Errorf("stream: kind %q: want %s, %s or %s", c.Kind, Server, Client, Bidi)
	case c.Messages < 0:
		return nil, fmt.Errorf("stream: messages per stream %d: must not be negative", c.Messages)
	case c.Workers < 1:
		return nil, errors.New("stream: workers must be at least 1")
	}
	if c.Messages == 0 && c.Kind != Server {
		c.Messages = 1
	}
	if c.Timeout <= 0 {
		c.Timeout = drivers.DefaultRequestTimeout
	}
	if c.Body == nil {
		c.Body = payload.Static(nil)
	}
	return &Op{cfg: c, workers: make([]worker, c.Workers)}, nil
}

// Do runs stream seq from worker w and returns the bytes of the messages sent and received.
// Errors: a request payload's; the transport's (drivers.Streamer.Stream); the Check's for the
// final status.
func (o *Op) Do(ctx context.Context, w int, seq uint64) (int, error) {
	st := &o.workers[w%len(o.workers)]
	st.sent, st.received = 0, 0
	ctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout)
	defer cancel()
	req := &drivers.Message{Route: o.cfg.Route}
	var (
		sent, sentBytes int // written by send on the driver's goroutine, read after Stream returned
		bodyErr         error
		send            iter.Seq[[]byte]
	)
	if o.cfg.Kind == Server {
		b, err := o.cfg.Body.Append(nil, seq)
		if err != nil {
			return 0, err
		}
		req.Body, sent, sentBytes = b, 1, len(b)
	} else {
		n := uint64(o.cfg.Messages)
		send = func(yield func([]byte) bool) {
			for k := range n {
				// A new slice per message: the transport may read it after SendMsg returned.
				b, err := o.cfg.Body.Append(nil, seq*n+k)
				if err != nil {
					bodyErr = err
					return
				}
				if !yield(b) {
					return
				}
				sent++
				sentBytes += len(b)
			}
		}
	}
	var received, receivedBytes int
	limit := 0
	if o.cfg.Kind == Server {
		limit = o.cfg.Messages
	}
	recv := func(b []byte) error {
		received++
		receivedBytes += len(b)
		if limit > 0 && received >= limit {
			return errEnough
		}
		return nil
	}
	resp, err := o.cfg.Conns[w%len(o.cfg.Conns)].Stream(ctx, req, send, recv)
	n := sentBytes + receivedBytes
	switch {
	case errors.Is(err, errEnough):
		err = nil
	case err != nil:
		return n, err
	case bodyErr != nil:
		return n, bodyErr
	case o.cfg.Check != nil:
		err = o.cfg.Check(resp)
	}
	st.sent, st.received = sent, received
	return n, err
}

// Messages returns the messages worker w's last stream sent and received (bench.MessageCounter).
func (o *Op) Messages(w int) (sent, received int) {
	st := &o.workers[w%len(o.workers)]
	return st.sent, st.received
}
