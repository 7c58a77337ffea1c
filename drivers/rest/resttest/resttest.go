// Package resttest is an in-process REST test target for commbench's tests, benchmarks and demo:
// a small shop API (net/http ServeMux patterns) served by httptest over HTTP/1.1, TLS (HTTP/2 by
// ALPN) or h2c.
//
// Routes:
//
//	GET  /orders/{id}     200 {"id":id,"status":"PLACED"}; id "missing": 404 {"error":"order missing not found"}
//	POST /orders          201, the JSON request body with "id":"o-1" added; a non-object body: 400
//	ANY  /echo...         200 {"method","path","query","proto","headers","body"} of the request
//	ANY  /status/{code}   an empty response with that status code
//	ANY  /stall           answers only when the client goes away (for timeout and cancellation tests)
//
// Every response carries X-Proto (the request protocol, e.g. "HTTP/2.0").
package resttest

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Handler returns the shop test API.
func Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if id == "missing" {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "order " + id + " not found"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "status": "PLACED"})
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var order map[string]any
		if err := json.NewDecoder(r.Body).Decode(&order); err != nil || order == nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want a JSON object"})
			return
		}
		order["id"] = "o-1"
		writeJSON(w, http.StatusCreated, order)
	})
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"method":  r.Method,
			"path":    r.URL.Path,
			"query":   r.URL.RawQuery,
			"proto":   r.Proto,
			"host":    r.Host,
			"headers": r.Header,
			"body":    string(body),
		})
	}
	mux.HandleFunc("/echo", echo)
	mux.HandleFunc("/echo/", echo)
	mux.HandleFunc("/status/{code}", func(w http.ResponseWriter, r *http.Request) {
		code, err := strconv.Atoi(r.PathValue("code"))
		if err != nil || code < 100 || code > 999 {
			http.Error(w, "want a status code", http.StatusBadRequest)
			return
		}
		w.WriteHeader(code)
	})
	mux.HandleFunc("/stall", func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Proto", r.Proto)
		mux.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v) // maps of strings and JSON values always marshal
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// Options choose how Start serves.
type Options struct {
	// TLS, when not nil, serves HTTPS with this configuration (certificates, client auth) and
	// offers HTTP/2 and HTTP/1.1 by ALPN.
	TLS *tls.Config
	// H2C serves HTTP/2 over clear text with prior knowledge as well as HTTP/1.1.
	H2C bool
}

// Start serves h (Handler() when nil) on 127.0.0.1:0 and closes the server when the test ends.
// The server's URL is srv.URL.
func Start(t testing.TB, h http.Handler, opts Options) *httptest.Server {
	t.Helper()
	if h == nil {
		h = Handler()
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(logWriter{t}, "resttest: ", 0)
	switch {
	case opts.TLS != nil:
		srv.TLS = opts.TLS.Clone()
		srv.EnableHTTP2 = true
		srv.StartTLS()
	case opts.H2C:
		var p http.Protocols
		p.SetHTTP1(true)
		p.SetUnencryptedHTTP2(true)
		srv.Config.Protocols = &p
		srv.Start()
	default:
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// logWriter sends the server's error log (TLS handshake failures...) to the test log.
type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}
