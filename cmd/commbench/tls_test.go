package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/commbench/commbench/drivers/drivertest"
)

// TestVerifyOverTLS: the TLS flags reach the provider connection: a trusted CA, mutual TLS, an
// explicit --insecure-skip-verify pass; no CA, or a half client certificate, do not.
func TestVerifyOverTLS(t *testing.T) {
	certs := drivertest.NewCerts(t)
	srv := httptest.NewUnstartedServer(&ordersProvider{})
	srv.TLS = certs.ServerConfig(true)
	srv.StartTLS()
	defer srv.Close()
	pact := pactPath(t, "web-orders-api.json")
	base := []string{"verify", "--pact", pact, "--provider-base-url", srv.URL, "--state-change-url", srv.URL + "/_pact/state", "--connect-timeout", "2s"}
	client := []string{"--cert-file", certs.ClientCertFile, "--key-file", certs.ClientKeyFile}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"trusted CA and client certificate", append([]string{"--ca-file", certs.CAFile}, client...), 0, "3 passed"},
		{"insecure skip verify", append([]string{"--insecure-skip-verify"}, client...), 0, "3 passed"},
		{"untrusted server", client, 2, "TLS handshake"},
		{"no client certificate", []string{"--ca-file", certs.CAFile}, -1, ""},
		{"cert without key", []string{"--ca-file", certs.CAFile, "--cert-file", certs.ClientCertFile}, 2, "cert_file and key_file must be given together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, nil, append(base, tt.args...)...)
			if tt.code < 0 {
				// The server requires a client certificate: the handshake or every request fails.
				if code == 0 {
					t.Fatalf("passed without a client certificate\n%s", stdout)
				}
				return
			}
			if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
				t.Fatalf("exit %d (want %d), output lacks %q:\n%s\n%s", code, tt.code, tt.want, stdout, stderr)
			}
		})
	}
}

// TestBenchRESTOverTLS: bench rest, with either HTTP client, trusts the CA given by --ca-file.
func TestBenchRESTOverTLS(t *testing.T) {
	certs := drivertest.NewCerts(t)
	srv := httptest.NewUnstartedServer(&ordersProvider{})
	srv.TLS = certs.ServerConfig(false)
	srv.StartTLS()
	defer srv.Close()
	for _, client := range []string{"net", "fast"} {
		t.Run(client, func(t *testing.T) {
			args := []string{"bench", "rest", "--url", srv.URL, "--path", "/orders/o-1", "--http-client", client, "-c", "2", "-n", "20", "-q", "--threshold", "errors==0"}
			if code, stdout, stderr := runCLI(t, nil, append(args, "--ca-file", certs.CAFile)...); code != 0 {
				t.Fatalf("with the CA: exit %d\n%s\n%s", code, stdout, stderr)
			}
			if code, _, stderr := runCLI(t, nil, args...); code == 0 {
				t.Fatalf("without the CA the untrusted server was accepted\n%s", stderr)
			}
		})
	}
}
