package bench

import (
	"context"
	"net"
	"net/http"
	"sync"
	"testing"
)

// pipeListener is an in-memory net.Listener whose connections are net.Pipe ends, so that a
// real net/http server and client run inside a testing/synctest bubble, where time.Sleep and
// time.Now follow the bubble's fake clock: injected latencies are then exact.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error { l.once.Do(func() { close(l.done) }); return nil }

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 80} }

func (l *pipeListener) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	c, s := net.Pipe()
	select {
	case l.conns <- s:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// pipeServer serves h over in-memory pipes and returns the base URL and an Operation (GET with
// a keep-alive client for workers connections). Call inside a synctest bubble; it shuts down
// when the test's bubble ends.
func pipeServer(t *testing.T, h http.Handler, workers int) Operation {
	t.Helper()
	l := newPipeListener()
	srv := &http.Server{Handler: h}
	go srv.Serve(l)
	tr := &http.Transport{DialContext: l.dial, MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		srv.Close()
	})
	return httpGet(&http.Client{Transport: tr}, "http://pipe/")
}
