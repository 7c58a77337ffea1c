package tcpproxy

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// echoServer answers each line with the same line.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); _, _ = io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(t *testing.T, c net.Conn, line string) (string, error) {
	t.Helper()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, line+"\n"); err != nil {
		return "", err
	}
	got, err := bufio.NewReader(c).ReadString('\n')
	return got, err
}

func TestForwardCutClose(t *testing.T) {
	p, err := Start(nil, echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got, err := roundTrip(t, c, "one"); err != nil || got != "one\n" {
		t.Fatalf("round trip = %q, %v", got, err)
	}
	if n := p.Cut(); n != 2 {
		t.Errorf("Cut closed %d connections, want 2 (client and upstream side)", n)
	}
	if _, err := roundTrip(t, c, "two"); err == nil {
		t.Fatal("the cut connection still answers")
	}
	c2, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if got, err := roundTrip(t, c2, "three"); err != nil || got != "three\n" {
		t.Fatalf("after Cut, a new connection: %q, %v", got, err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := roundTrip(t, c2, "four"); err == nil {
		t.Fatal("a connection survived Close")
	}
	if c3, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		_ = c3.Close()
		t.Fatal("the proxy still accepts after Close")
	}
}
