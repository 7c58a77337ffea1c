// Command httptarget is the minimal HTTP/1.1 target of scripts/bench-peers.sh: every request
// (any method and path) gets 200 with a small JSON body, after reading the request body.
//
//	httptarget -addr 127.0.0.1:18080
package main

import (
	"flag"
	"io"
	"log"
	"net/http"
)

var reply = []byte(`{"status":"ok"}`)

func main() {
	addr := flag.String("addr", "127.0.0.1:18080", "listen address (loopback)")
	flag.Parse()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header()["Content-Type"] = []string{"application/json"}
		w.Write(reply)
	})
	log.Fatal(http.ListenAndServe(*addr, h))
}
