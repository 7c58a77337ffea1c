package rest_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/rest"
	"github.com/commbench/commbench/drivers/rest/resttest"
)

// A GET through the REST driver, with a target header expanded from the caller's environment.
func Example() {
	srv := httptest.NewServer(resttest.Handler())
	defer srv.Close()
	env := map[string]string{"TOKEN": "t0k3n"}
	c, err := rest.New().Open(context.Background(), drivers.Target{
		Address:   srv.URL,
		Headers:   map[string]string{"Authorization": "Bearer ${TOKEN}"},
		LookupEnv: func(name string) (string, bool) { v, ok := env[name]; return v, ok },
		Options:   map[string]string{"max_idle_conns_per_host": "64"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()
	resp, err := c.(drivers.Requester).Request(context.Background(), &drivers.Message{Method: "GET", Route: "/orders/7"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, resp.StatusMessage, resp.ContentType)
	fmt.Println(string(resp.Body))
	// Output:
	// 200 OK application/json
	// {"id":"7","status":"PLACED"}
}
