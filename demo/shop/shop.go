// Package shop is the example system commbench's demo and end-to-end tests verify and load: an
// orders REST API, a gRPC shop.v1.OrderService (testdata/schemas/shop.proto), and OrderPlaced
// events published to Kafka (an embedded franz-go kfake cluster unless brokers are given) and,
// when a broker answers, to RabbitMQ. With Break set the REST API drifts from its consumers'
// contract: the order's "status" field is renamed "state" and a missing order answers 200.
//
// Provider states for contract verification are served at POST /_pact/state; the state
// "an order was placed" publishes an OrderPlaced event for the order id in its params.
package shop

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/commbench/commbench/drivers"
	"github.com/commbench/commbench/drivers/amqp"
	"github.com/commbench/commbench/drivers/grpc/grpctest"
	"github.com/commbench/commbench/drivers/kafka"
	"github.com/commbench/commbench/drivers/kafka/kafkatest"
)

// Event routes: the Kafka topic and the AMQP exchange/routing key of OrderPlaced events.
const (
	KafkaTopic    = "shop.orders.placed"
	AMQPExchange  = "shop.events"
	AMQPRouting   = "order.placed"
	BenchTopic    = "shop.bench"
	BenchExchange = "shop.bench"
)

// Options configure the system.
type Options struct {
	// Break makes the REST API drift from its contract (renamed field, wrong status).
	Break bool
	// AMQPURL is the RabbitMQ to publish to; "" or unreachable leaves AMQP out (System.AMQPErr says why).
	AMQPURL string
	// Root is the repository root holding testdata/schemas/shop.proto.
	Root string
	// RESTAddr and GRPCAddr are the listen addresses (default "127.0.0.1:0": any free port);
	// KafkaPort is the embedded Kafka broker's port on 127.0.0.1 (0: any free port).
	RESTAddr, GRPCAddr string
	KafkaPort          int
	// KafkaBrokers are the seed brokers of a Kafka cluster to publish to instead of the embedded
	// one; the topics are created when missing.
	KafkaBrokers string
}

// System is the running example system.
type System struct {
	// RESTURL is the orders API base URL, GRPCAddr the OrderService host:port, KafkaBrokers the
	// embedded cluster's seed brokers, AMQPURL the broker events go to ("" when AMQP is off).
	RESTURL, GRPCAddr, KafkaBrokers, AMQPURL string
	// AMQPErr says why AMQP is off, when it is.
	AMQPErr error

	opts      Options
	http      *http.Server
	grpc      *grpctest.Server
	kfake     *kfake.Cluster
	kafkaPub  drivers.Conn
	amqpPub   drivers.Conn
	published atomic.Int64
	mu        sync.Mutex
}

// Start starts the system on loopback ports. Close stops it.
func Start(ctx context.Context, opts Options) (*System, error) {
	s := &System{opts: opts}
	ok := false
	defer func() {
		if !ok {
			s.Close()
		}
	}()
	proto, err := os.ReadFile(filepath.Join(opts.Root, "testdata", "schemas", "shop.proto"))
	if err != nil {
		return nil, fmt.Errorf("shop: %w (run from the repository root)", err)
	}
	files, err := grpctest.CompileShop(ctx, string(proto))
	if err != nil {
		return nil, fmt.Errorf("shop: compile shop.proto: %w", err)
	}
	if s.grpc, err = grpctest.New(files, grpctest.Shop(), grpctest.Options{Addr: opts.GRPCAddr}); err != nil {
		return nil, fmt.Errorf("shop: gRPC server: %w", err)
	}
	s.GRPCAddr = s.grpc.Addr

	if opts.KafkaBrokers != "" {
		s.KafkaBrokers = opts.KafkaBrokers
	} else {
		var kopts []kfake.Opt
		if opts.KafkaPort > 0 {
			kopts = append(kopts, kfake.Ports(opts.KafkaPort))
		}
		if s.kfake, s.KafkaBrokers, err = kafkatest.Start(1, 3, []string{KafkaTopic, BenchTopic}, kopts...); err != nil {
			return nil, fmt.Errorf("shop: embedded Kafka: %w", err)
		}
	}
	kt := drivers.Target{Address: s.KafkaBrokers, Options: map[string]string{"create_topics": "true"}}
	if s.kafkaPub, err = kafka.New().Open(ctx, kt); err != nil {
		return nil, fmt.Errorf("shop: Kafka producer: %w", err)
	}
	if opts.AMQPURL != "" {
		t := drivers.Target{Address: opts.AMQPURL, ConnectTimeout: 2 * time.Second, Options: map[string]string{"declare": "true"}}
		c, err := amqp.New().Open(ctx, t)
		if err == nil {
			s.amqpPub, s.AMQPURL = c, opts.AMQPURL
		} else {
			s.AMQPErr = err
		}
	} else {
		s.AMQPErr = errors.New("no AMQP URL given")
	}

	restAddr := opts.RESTAddr
	if restAddr == "" {
		restAddr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", restAddr)
	if err != nil {
		return nil, fmt.Errorf("shop: listen: %w", err)
	}
	s.RESTURL = "http://" + ln.Addr().String()
	s.http = &http.Server{Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	ok = true
	return s, nil
}

// Close stops every part.
func (s *System) Close() {
	if s.http != nil {
		_ = s.http.Close()
	}
	if s.grpc != nil {
		s.grpc.Close()
	}
	for _, c := range []drivers.Conn{s.kafkaPub, s.amqpPub} {
		if c != nil {
			_ = c.Close()
		}
	}
	if s.kfake != nil {
		s.kfake.Close()
	}
}

// Published returns how many OrderPlaced events were published (per broker).
func (s *System) Published() int64 { return s.published.Load() }

// order is the REST representation of an order.
func (s *System) order(id string) map[string]any {
	o := map[string]any{
		"id": id, "customer_id": "c-1",
		"items": []any{map[string]any{"sku": "SKU-1", "qty": 2, "unit_price": map[string]any{"currency": "EUR", "amount_minor": 1250}}},
		"total": map[string]any{"currency": "EUR", "amount_minor": 2500},
	}
	if s.opts.Break {
		o["state"] = "PLACED" // drift: renamed field
	} else {
		o["status"] = "PLACED"
	}
	return o
}

func (s *System) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		if id == "missing" && !s.opts.Break {
			writeJSON(w, http.StatusNotFound, map[string]any{"error": "order missing not found"})
			return
		}
		writeJSON(w, http.StatusOK, s.order(id))
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			CustomerID string `json:"customer_id"`
			Items      []any  `json:"items"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil || req.CustomerID == "" {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": "want {customer_id, items}"})
			return
		}
		id := "o-" + uuid.NewString()[:8]
		if err := s.PublishOrderPlaced(r.Context(), id); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": err.Error()})
			return
		}
		w.Header().Set("Location", "/orders/"+id)
		o := s.order(id)
		o["customer_id"] = req.CustomerID
		writeJSON(w, http.StatusCreated, o)
	})
	mux.HandleFunc("POST /_pact/state", func(w http.ResponseWriter, r *http.Request) {
		var sc struct {
			State  string         `json:"state"`
			Params map[string]any `json:"params"`
			Action string         `json:"action"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&sc); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"error": err.Error()})
			return
		}
		id, _ := sc.Params["id"].(string)
		if id == "" {
			id = "o-1"
		}
		if sc.Action == "setup" && strings.EqualFold(sc.State, "an order was placed") {
			if err := s.PublishOrderPlaced(r.Context(), id); err != nil {
				writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": err.Error()})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id})
	})
	return mux
}

// OrderPlaced returns the event published when order id is placed.
func OrderPlaced(id string) map[string]any {
	return map[string]any{
		"event_id":    uuid.NewString(),
		"occurred_at": time.Now().UTC().Format(time.RFC3339),
		"order": map[string]any{
			"id": id, "customer_id": "c-1", "status": "PLACED",
			"total": map[string]any{"currency": "EUR", "amount_minor": 2500},
		},
	}
}

// PublishOrderPlaced publishes an OrderPlaced event (JSON, key = order id) to the Kafka topic and,
// when AMQP is on, to the AMQP exchange, waiting for the broker acknowledgements.
func (s *System) PublishOrderPlaced(ctx context.Context, id string) error {
	body, err := json.Marshal(OrderPlaced(id))
	if err != nil {
		return err
	}
	headers := map[string][]string{"event-type": {"OrderPlaced"}}
	pubs := []struct {
		conn  drivers.Conn
		route string
	}{{s.kafkaPub, KafkaTopic}, {s.amqpPub, AMQPExchange + "/" + AMQPRouting}}
	for _, p := range pubs {
		if p.conn == nil {
			continue
		}
		pub := p.conn.(drivers.Publisher)
		done := make(chan error, 1)
		m := &drivers.Message{Route: p.route, Key: []byte(id), Body: body, ContentType: "application/json", Headers: headers}
		if err := pub.Publish(ctx, m, func(err error) { done <- err }); err != nil {
			return fmt.Errorf("publish OrderPlaced to %s: %w", p.route, err)
		}
		select {
		case err := <-done:
			if err != nil {
				return fmt.Errorf("publish OrderPlaced to %s: %w", p.route, err)
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.published.Add(1)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
