package rest_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/drivertest"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/drivers/rest/resttest"
)

func getOrder(ctx context.Context, c drivers.Conn) error {
	resp, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: "/orders/42"})
	if err != nil {
		return err
	}
	if resp.Status != 200 || string(resp.Body) != `{"id":"42","status":"PLACED"}` {
		return errors.New("unexpected response " + strconv.Itoa(resp.Status) + " " + string(resp.Body))
	}
	return nil
}

func TestConformance(t *testing.T) {
	drivertest.Run(t, drivertest.Harness{
		Driver: rest.New(),
		Target: func(t *testing.T) drivers.Target {
			return drivers.Target{Address: resttest.Start(t, nil, resttest.Options{}).URL}
		},
		RoundTrip: getOrder,
		Stall: func(ctx context.Context, c drivers.Conn) error {
			_, err := c.(drivers.Requester).Request(ctx, &drivers.Message{Route: "/stall"})
			return err
		},
		Address: func(hp string) string { return "http://" + hp },
		TLSTarget: func(t *testing.T, certs *drivertest.Certs) drivers.Target {
			srv := resttest.Start(t, nil, resttest.Options{TLS: certs.ServerConfig(true)})
			return drivers.Target{Address: srv.URL, TLS: drivers.TLS{
				Enabled: true, CAFile: certs.CAFile, CertFile: certs.ClientCertFile, KeyFile: certs.ClientKeyFile,
			}}
		},
		MutualTLS: true,
	})
}

type echoed struct {
	Method  string              `json:"method"`
	Path    string              `json:"path"`
	Query   string              `json:"query"`
	Proto   string              `json:"proto"`
	Host    string              `json:"host"`
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
}

func request(t *testing.T, tg drivers.Target, m *drivers.Message) *drivers.Message {
	t.Helper()
	c, err := rest.New().Open(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.(drivers.Requester).Request(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func echo(t *testing.T, resp *drivers.Message) echoed {
	t.Helper()
	var e echoed
	if err := json.Unmarshal(resp.Body, &e); err != nil {
		t.Fatalf("echo body %q: %v", resp.Body, err)
	}
	return e
}

func TestProtocols(t *testing.T) {
	certs := drivertest.NewCerts(t)
	plain := resttest.Start(t, nil, resttest.Options{})
	h2c := resttest.Start(t, nil, resttest.Options{H2C: true})
	secure := resttest.Start(t, nil, resttest.Options{TLS: certs.ServerConfig(false)})
	tlsOn := drivers.TLS{Enabled: true, CAFile: certs.CAFile}
	tests := []struct {
		name      string
		target    drivers.Target
		wantProto string
	}{
		{name: "http1 keep-alive", target: drivers.Target{Address: plain.URL}, wantProto: "HTTP/1.1"},
		{name: "h2c prior knowledge", target: drivers.Target{Address: h2c.URL, Options: map[string]string{"protocol": "h2c"}}, wantProto: "HTTP/2.0"},
		{name: "h2c server, auto client", target: drivers.Target{Address: h2c.URL}, wantProto: "HTTP/1.1"},
		{name: "https auto negotiates h2", target: drivers.Target{Address: secure.URL, TLS: tlsOn}, wantProto: "HTTP/2.0"},
		{name: "https url turns TLS on", target: drivers.Target{Address: secure.URL, TLS: drivers.TLS{CAFile: certs.CAFile}}, wantProto: "HTTP/2.0"},
		{name: "https forced http1", target: drivers.Target{Address: secure.URL, TLS: tlsOn, Options: map[string]string{"protocol": "http1"}}, wantProto: "HTTP/1.1"},
		{name: "https forced http2", target: drivers.Target{Address: secure.URL, TLS: tlsOn, Options: map[string]string{"protocol": "http2"}}, wantProto: "HTTP/2.0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := request(t, tc.target, &drivers.Message{Route: "/echo"})
			if got := resp.Header("X-Proto"); got != tc.wantProto {
				t.Fatalf("server saw %q, want %q", got, tc.wantProto)
			}
		})
	}
}

func TestRequestShape(t *testing.T) {
	srv := resttest.Start(t, nil, resttest.Options{})
	env := map[string]string{"TOKEN": "tok-123"}
	base := drivers.Target{
		Address:   srv.URL,
		Headers:   map[string]string{"authorization": "Bearer ${TOKEN}", "x-team": "shop"},
		LookupEnv: func(n string) (string, bool) { v, ok := env[n]; return v, ok },
	}
	tests := []struct {
		name   string
		target func() drivers.Target
		msg    drivers.Message
		check  func(t *testing.T, e echoed)
	}{
		{
			name:   "target headers expanded",
			target: func() drivers.Target { return base },
			msg:    drivers.Message{Route: "/echo/a?x=1&y=two"},
			check: func(t *testing.T, e echoed) {
				if e.Method != "GET" || e.Path != "/echo/a" || e.Query != "x=1&y=two" {
					t.Errorf("request line: %s %s ? %s", e.Method, e.Path, e.Query)
				}
				if got := e.Headers["Authorization"]; len(got) != 1 || got[0] != "Bearer tok-123" {
					t.Errorf("Authorization = %q", got)
				}
				if got := e.Headers["X-Team"]; len(got) != 1 || got[0] != "shop" {
					t.Errorf("X-Team = %q", got)
				}
			},
		},
		{
			name:   "message headers override, body, content type, host",
			target: func() drivers.Target { return base },
			msg: drivers.Message{Method: "PUT", Route: "/echo", Body: []byte(`{"a":1}`), ContentType: "application/json",
				Headers: map[string][]string{"x-team": {"billing"}, "X-Multi": {"1", "2"}, "Host": {"shop.example"}}},
			check: func(t *testing.T, e echoed) {
				if e.Method != "PUT" || e.Body != `{"a":1}` {
					t.Errorf("method/body: %s %q", e.Method, e.Body)
				}
				if got := e.Headers["X-Team"]; len(got) != 1 || got[0] != "billing" {
					t.Errorf("X-Team = %q, want the message's value", got)
				}
				if got := e.Headers["X-Multi"]; len(got) != 2 {
					t.Errorf("X-Multi = %q", got)
				}
				if got := e.Headers["Content-Type"]; len(got) != 1 || got[0] != "application/json" {
					t.Errorf("Content-Type = %q", got)
				}
				if e.Host != "shop.example" {
					t.Errorf("Host = %q", e.Host)
				}
			},
		},
		{
			name: "basic auth from credentials",
			target: func() drivers.Target {
				return drivers.Target{Address: srv.URL, Username: "ann", Password: "pw"}
			},
			msg: drivers.Message{Route: "/echo"},
			check: func(t *testing.T, e echoed) {
				if got := e.Headers["Authorization"]; len(got) != 1 || got[0] != "Basic YW5uOnB3" {
					t.Errorf("Authorization = %q", got)
				}
			},
		},
		{
			name:   "base URL prefix",
			target: func() drivers.Target { return drivers.Target{Address: srv.URL + "/echo/"} },
			msg:    drivers.Message{Route: "/x"},
			check: func(t *testing.T, e echoed) {
				if e.Path != "/echo/x" {
					t.Errorf("path = %q, want /echo/x", e.Path)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			tc.check(t, echo(t, request(t, tc.target(), &msg)))
		})
	}
}

func TestResponses(t *testing.T) {
	srv := resttest.Start(t, nil, resttest.Options{})
	tests := []struct {
		name       string
		msg        drivers.Message
		wantStatus int
		wantReason string
		wantBody   string
		wantCT     string
	}{
		{name: "ok", msg: drivers.Message{Route: "/orders/7"}, wantStatus: 200, wantReason: "OK", wantBody: `{"id":"7","status":"PLACED"}`, wantCT: "application/json"},
		{name: "not found is a response", msg: drivers.Message{Route: "/orders/missing"}, wantStatus: 404, wantReason: "Not Found", wantBody: `{"error":"order missing not found"}`, wantCT: "application/json"},
		{name: "created", msg: drivers.Message{Method: "POST", Route: "/orders", Body: []byte(`{"sku":"A"}`)}, wantStatus: 201, wantReason: "Created", wantBody: `{"id":"o-1","sku":"A"}`, wantCT: "application/json"},
		{name: "no content", msg: drivers.Message{Route: "/status/204"}, wantStatus: 204, wantReason: "No Content"},
		{name: "redirect not followed", msg: drivers.Message{Route: "/status/302"}, wantStatus: 302, wantReason: "Found"},
		{name: "server error", msg: drivers.Message{Method: "DELETE", Route: "/status/503"}, wantStatus: 503, wantReason: "Service Unavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			resp := request(t, drivers.Target{Address: srv.URL}, &msg)
			if resp.Status != tc.wantStatus || resp.StatusMessage != tc.wantReason {
				t.Errorf("status = %d %q, want %d %q", resp.Status, resp.StatusMessage, tc.wantStatus, tc.wantReason)
			}
			if string(resp.Body) != tc.wantBody {
				t.Errorf("body = %q, want %q", resp.Body, tc.wantBody)
			}
			if resp.ContentType != tc.wantCT {
				t.Errorf("content type = %q, want %q", resp.ContentType, tc.wantCT)
			}
		})
	}
}

func TestKeepAliveReusesConnection(t *testing.T) {
	var used sync.Map // connections that served a request (the reachability check serves none)
	srv := httptest.NewUnstartedServer(resttest.Handler())
	srv.Config.ConnState = func(c net.Conn, s http.ConnState) {
		if s == http.StateActive {
			used.Store(c, true)
		}
	}
	srv.Start()
	defer srv.Close()
	c, err := rest.New().Open(context.Background(), drivers.Target{Address: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := range 20 {
		for _, route := range []string{"/orders/1", "/status/204", "/echo"} {
			if _, err := c.(drivers.Requester).Request(context.Background(), &drivers.Message{Route: route}); err != nil {
				t.Fatalf("request %d %s: %v", i, route, err)
			}
		}
	}
	n := 0
	used.Range(func(any, any) bool { n++; return true })
	if n != 1 {
		t.Fatalf("60 sequential requests used %d connections, want 1 (keep-alive)", n)
	}
}

func TestErrors(t *testing.T) {
	srv := resttest.Start(t, nil, resttest.Options{})
	tests := []struct {
		name    string
		target  drivers.Target
		msg     *drivers.Message
		wantErr string
	}{
		{name: "unknown option", target: drivers.Target{Address: srv.URL, Options: map[string]string{"acks": "all"}}, wantErr: `rest: unknown option "acks"`},
		{name: "bad protocol", target: drivers.Target{Address: srv.URL, Options: map[string]string{"protocol": "spdy"}}, wantErr: `option protocol="spdy": expected one of auto, http1, http2, h2c`},
		{name: "http2 on http", target: drivers.Target{Address: srv.URL, Options: map[string]string{"protocol": "http2"}}, wantErr: "needs an https:// address"},
		{name: "h2c on https", target: drivers.Target{Address: "https://127.0.0.1:1", Options: map[string]string{"protocol": "h2c"}}, wantErr: "needs an http:// address"},
		{name: "bad pool size", target: drivers.Target{Address: srv.URL, Options: map[string]string{"max_idle_conns_per_host": "0"}}, wantErr: "max_idle_conns_per_host=\"0\": expected an integer from 1"},
		{name: "not a URL", target: drivers.Target{Address: "127.0.0.1:80"}, wantErr: "want http://host"},
		{name: "TLS on http", target: drivers.Target{Address: srv.URL, TLS: drivers.TLS{Enabled: true}}, wantErr: "use an https:// address"},
		{name: "missing CA file", target: drivers.Target{Address: "https://127.0.0.1:1", TLS: drivers.TLS{CAFile: "/nonexistent/ca.pem"}}, wantErr: "ca_file"},
		{name: "unset header variable", target: drivers.Target{Address: srv.URL, Headers: map[string]string{"Authorization": "Bearer ${NOPE}"},
			LookupEnv: func(string) (string, bool) { return "", false }}, wantErr: "${NOPE} is not set"},
		{name: "body too large", target: drivers.Target{Address: srv.URL, Options: map[string]string{"max_body_bytes": "10"}},
			msg: &drivers.Message{Route: "/orders/1234567890"}, wantErr: "exceeds max_body_bytes"},
		{name: "route without slash", target: drivers.Target{Address: srv.URL}, msg: &drivers.Message{Route: "orders"}, wantErr: "want a path starting with '/'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.target.Headers == nil {
				tc.target.Headers = map[string]string{"Authorization": "Bearer s3cret-token"}
			}
			c, err := rest.New().Open(context.Background(), tc.target)
			if err == nil {
				defer c.Close()
				if tc.msg == nil {
					t.Fatal("Open succeeded, want an error")
				}
				_, err = c.(drivers.Requester).Request(context.Background(), tc.msg)
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("error shows a header value: %v", err)
			}
		})
	}
}

func TestAddressExpandsEnv(t *testing.T) {
	srv := resttest.Start(t, resttest.Handler(), resttest.Options{})
	lookup := func(k string) (string, bool) {
		if k == "ORDERS_URL" {
			return srv.URL, true
		}
		return "", false
	}
	c, err := rest.New().Open(context.Background(), drivers.Target{Address: "${ORDERS_URL}", LookupEnv: lookup})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	resp, err := c.(drivers.Requester).Request(context.Background(), &drivers.Message{Method: "GET", Route: "/orders/o-1"})
	if err != nil || resp.Status != 200 {
		t.Fatalf("status %v, err %v", resp, err)
	}
	if _, err := rest.New().Open(context.Background(), drivers.Target{Address: "${NOPE_UNSET_URL}", LookupEnv: lookup}); err == nil || !strings.Contains(err.Error(), "NOPE_UNSET_URL") {
		t.Fatalf("unset variable: %v", err)
	}
}
