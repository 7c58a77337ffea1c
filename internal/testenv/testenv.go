// Package testenv finds what tests need outside the repository: the shared material folder
// (Pact specification test cases, real pact files) and the RabbitMQ broker. Under CI=true a missing
// dependency fails the test; elsewhere it skips with a message saying where to get it.
package testenv

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/commbench/commbench/internal/tcpproxy"
)

// DefaultAMQPURL is the broker the tests use when COMMBENCH_AMQP_URL is unset.
const DefaultAMQPURL = "amqp://guest:guest@127.0.0.1:5672/"

// CI reports whether the tests run under CI (CI=true), where missing dependencies are failures.
func CI() bool { return os.Getenv("CI") == "true" }

// ModuleRoot returns the folder holding go.mod, walking up from the working directory.
func ModuleRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the working directory")
		}
		dir = parent
	}
}

// SharedDir returns the shared material folder: $COMMBENCH_SHARED, default ../shared beside the
// module root. Where it is absent the test skips (fails under CI=true) naming the public source.
func SharedDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv("COMMBENCH_SHARED")
	if dir == "" {
		dir = filepath.Join(ModuleRoot(t), "..", "shared")
	}
	if _, err := os.Stat(dir); err != nil {
		msg := "shared material not found at " + dir + " (set COMMBENCH_SHARED); the Pact test cases come from " +
			"https://github.com/pact-foundation/pact-specification and the real pacts are listed in shared/real-pacts/SOURCES.md"
		if CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return dir
}

// SharedFile returns a path below SharedDir, e.g. SharedFile(t, "real-pacts", "kafka-request-reply.json").
func SharedFile(t testing.TB, elem ...string) string {
	t.Helper()
	return filepath.Join(append([]string{SharedDir(t)}, elem...)...)
}

// AMQPURL returns $COMMBENCH_AMQP_URL (default DefaultAMQPURL) after checking that the broker's
// port answers. When none answers the test skips, or fails under CI=true (`make test` starts the
// broker with scripts/ensure-rabbitmq.sh).
func AMQPURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv("COMMBENCH_AMQP_URL")
	if raw == "" {
		raw = DefaultAMQPURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("COMMBENCH_AMQP_URL: %v", err)
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "5672")
	}
	c, err := net.DialTimeout("tcp", host, 2*time.Second)
	if err != nil {
		msg := "no AMQP broker answers at " + host + ": start one with `rabbitmq-server -detached` or `bash scripts/ensure-rabbitmq.sh`"
		if CI() {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	c.Close()
	return raw
}

// ProxiedAMQPURL is AMQPURL with its host replaced by a TCP proxy to the broker that the test can
// cut (internal/tcpproxy), closed at the end of the test.
func ProxiedAMQPURL(t testing.TB) (string, *tcpproxy.Proxy) {
	t.Helper()
	u, err := url.Parse(AMQPURL(t))
	if err != nil {
		t.Fatal(err)
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5672")
	}
	p, err := tcpproxy.Start(nil, upstream)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	u.Host = p.Addr()
	return u.String(), p
}
