package drivers_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
)

func TestCheckReachable(t *testing.T) {
	listen := func(t *testing.T) net.Listener {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	refused := func(t *testing.T) string { return drivertest.ClosedPort(t) }
	silent := func(t *testing.T) string { return drivertest.MutePeer(t) }
	// plain answers a TLS ClientHello with HTTP text.
	plain := func(t *testing.T) string {
		l := listen(t)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				_, _ = c.Write([]byte("HTTP/1.1 400 Bad Request\r\n\r\n"))
				c.Close()
			}
		}()
		return l.Addr().String()
	}
	tests := []struct {
		name            string
		addr            func(*testing.T) string
		tls             *tls.Config
		wantUnreachable bool
		wantErr         string
	}{
		{name: "tcp ok", addr: silent},
		{name: "refused", addr: refused, wantUnreachable: true, wantErr: "connection refused"},
		{name: "TLS peer silent", addr: silent, tls: &tls.Config{}, wantUnreachable: true, wantErr: "no TLS handshake answer"},
		{name: "TLS against plain text", addr: plain, tls: &tls.Config{}, wantErr: "is TLS expected there"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := drivers.CheckReachable(context.Background(), tc.addr(t), tc.tls, 300*time.Millisecond)
			if el := time.Since(start); el > 2*time.Second {
				t.Fatalf("took %s for a 300ms bound", el)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if errors.Is(err, drivers.ErrUnreachable) != tc.wantUnreachable {
				t.Fatalf("errors.Is(err, drivers.ErrUnreachable) = %v, want %v (err %v)", !tc.wantUnreachable, tc.wantUnreachable, err)
			}
		})
	}
}
