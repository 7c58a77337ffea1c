// Package request is the bench.Operation for request/response workloads (REST requests, gRPC
// unary calls): each call builds request number seq from a template Message and a payload
// Source, sends it through a drivers.Requester and judges the response status.
package request

import (
	"context"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/commbench/commbench/bench"
	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/drivers"
)

// Check judges a response by its status (its Body may be nil: see Op.Do): nil for success, else
// an error Classify files (bench.StatusError for HTTP, a gRPC status error for gRPC).
type Check func(resp *drivers.Message) error

// HTTPStatus fails responses with an HTTP status of 400 or more (class "http_4xx", "http_5xx").
func HTTPStatus(resp *drivers.Message) error {
	if resp.Status >= 400 {
		return &bench.StatusError{Code: resp.Status}
	}
	return nil
}

// GRPCStatus fails responses with a non-OK gRPC status (class "grpc_<CODE>").
func GRPCStatus(resp *drivers.Message) error {
	if resp.Status != 0 {
		return status.Error(codes.Code(resp.Status), resp.StatusMessage)
	}
	return nil
}

// Op is a bench.Operation sending requests. Build it with New.
type Op struct {
	conns   []drivers.Requester
	counts  []drivers.BodyCounter // conns[i] as a BodyCounter, nil where it is not one
	tmpl    drivers.Message
	body    payload.Source
	check   Check
	workers []worker
}

type worker struct {
	msg drivers.Message
	buf []byte
	_   [32]byte // keep workers' hot fields apart
}

// New returns an Op for workers workers (bench.Config.Workers). Worker w sends through
// conns[w % len(conns)]; each request is a copy of tmpl (Route, Method, Headers, ContentType)
// whose Body is body's payload seq (tmpl.Body when body is nil). check judges each response
// (nil: every response succeeds). tmpl.Headers is shared by every request and must not be
// modified during the run.
func New(conns []drivers.Requester, tmpl drivers.Message, body payload.Source, check Check, workers int) (*Op, error) {
	if len(conns) == 0 {
		return nil, fmt.Errorf("request: no connection")
	}
	if workers < 1 {
		return nil, fmt.Errorf("request: workers must be at least 1")
	}
	if body == nil {
		body = payload.Static(tmpl.Body)
	}
	o := &Op{conns: conns, counts: make([]drivers.BodyCounter, len(conns)), tmpl: tmpl, body: body, check: check, workers: make([]worker, workers)}
	for i, c := range conns {
		o.counts[i], _ = c.(drivers.BodyCounter)
	}
	for i := range o.workers {
		o.workers[i].msg = tmpl
	}
	return o, nil
}

// Do sends request seq from worker w and returns the bytes moved (request body plus response
// body). A connection that is a drivers.BodyCounter counts the response body without holding it
// (the Check then sees a Message without Body). Errors: the payload's, the transport's, and the
// Check's.
func (o *Op) Do(ctx context.Context, w int, seq uint64) (int, error) {
	st := &o.workers[w%len(o.workers)]
	b, err := o.body.Append(st.buf[:0], seq)
	if err != nil {
		return 0, err
	}
	st.buf = b
	st.msg.Body = b
	var resp *drivers.Message
	var got int64
	if c := o.counts[w%len(o.conns)]; c != nil {
		resp, got, err = c.RequestCount(ctx, &st.msg) // the body is counted, never held
	} else if resp, err = o.conns[w%len(o.conns)].Request(ctx, &st.msg); err == nil {
		got = int64(len(resp.Body))
	}
	if err != nil {
		return len(b), err
	}
	n := len(b) + int(got)
	if o.check != nil {
		return n, o.check(resp)
	}
	return n, nil
}
