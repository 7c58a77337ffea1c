package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/demo"
	"github.com/commbench/commbench/demo/shop"
	"github.com/commbench/commbench/internal/exitcode"
	"github.com/commbench/commbench/scenario"
)

// demoOptions are the flags of `commbench demo`.
type demoOptions struct {
	broken   bool
	out      string
	duration time.Duration
	serve    bool
	dir      string         // where to look for the repository (default: the working directory)
	addrs    demo.Addresses // where --serve listens (--rest-addr, --grpc-addr, --kafka-addr)
}

func newDemoCmd(a *app) *cobra.Command {
	var o demoOptions
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the whole job on an embedded example shop: contracts, benchmarks, reports",
		Long: `Start an example shop system in-process (a REST orders API, a gRPC shop.v1.OrderService, OrderPlaced
events on an embedded Kafka cluster (franz-go kfake) and, when one answers, on RabbitMQ at
$COMMBENCH_AMQP_URL, default ` + demo.DefaultAMQPURL + `; a real Kafka instead of the embedded one
with COMMBENCH_KAFKA_BROKERS), then run the shop scenario
(` + demo.Scenario + `) against it as 'commbench run' does: verify the consumer contracts in
testdata/pacts/shop (HTTP, gRPC, Kafka and AMQP messages), run short benchmarks per transport
with JSON, Protobuf and Avro payloads (messaging with integrity checks), and write the reports
to --dir (HTML, JUnit XML, JSON, Markdown).

With --serve it only starts the shop, by default on the shop scenario's default addresses (REST
http://` + demo.DefaultAddresses.REST + `, gRPC ` + demo.DefaultAddresses.GRPC + `, Kafka ` + demo.DefaultAddresses.Kafka + `; --rest-addr, --grpc-addr and
--kafka-addr choose others), names every address, and keeps it running until interrupted, so that
'commbench run testdata/scenarios/shop.yaml', verify and bench can be tried against it from
another terminal. When an address is in use it names every one that is.

When no RabbitMQ answers, the AMQP contract and workload are reported as skipped, with the
command that starts a broker. --break makes the orders API drift from its consumer's contract
(a renamed field, a wrong status): the run then fails with exit 1 and the report shows the drift.

The demo reads testdata from a clone of the repository: run it there (make demo).`,
		Example: `  make demo                     # = go run ./cmd/commbench demo
  commbench demo --break        # see what a broken contract looks like (exit 1)
  commbench demo --serve        # only the shop, until Ctrl-C: try run, verify and bench on it
  COMMBENCH_AMQP_URL=amqp://guest:guest@127.0.0.1:5673/ commbench demo --dir /tmp/demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runDemo(cmd.Context(), a, o) },
	}
	fs := cmd.Flags()
	fs.BoolVar(&o.broken, "break", false, "make the orders API drift from its contract (renamed field, wrong status): exit 1")
	fs.StringVar(&o.out, "dir", "commbench-demo", "folder the reports are written to")
	fs.StringVarP(&o.out, "out", "o", "commbench-demo", "folder the reports are written to")
	deprecate(a, cmd, "out", "use --dir (in every other command -o/--out is the results file)")
	fs.DurationVar(&o.duration, "duration", 0, "measured duration of every workload (default: the scenario's)")
	fs.BoolVar(&o.serve, "serve", false, "only start the shop (on --rest-addr, --grpc-addr, --kafka-addr) and keep it running until interrupted")
	fs.StringVar(&o.addrs.REST, "rest-addr", demo.DefaultAddresses.REST, "with --serve: where the orders API (REST) listens")
	fs.StringVar(&o.addrs.GRPC, "grpc-addr", demo.DefaultAddresses.GRPC, "with --serve: where the OrderService (gRPC) listens")
	fs.StringVar(&o.addrs.Kafka, "kafka-addr", demo.DefaultAddresses.Kafka, "with --serve: where the embedded Kafka broker listens (127.0.0.1:PORT)")
	return cmd
}

func runDemo(ctx context.Context, a *app, o demoOptions) error {
	dir := o.dir
	if dir == "" {
		var err error
		if dir, err = os.Getwd(); err != nil {
			return exitcode.Usagef("%w", err)
		}
	}
	root, err := demo.Root(dir)
	if err != nil {
		return exitcode.Usagef("%w", err)
	}
	amqpURL := a.Getenv(demo.EnvAMQP)
	if amqpURL == "" {
		amqpURL = demo.DefaultAMQPURL
	}
	fmt.Fprintf(a.stdout, "Starting the example shop (REST, gRPC, embedded Kafka, RabbitMQ at %s)...\n", scenario.RedactURL(amqpURL))
	so := shop.Options{Break: o.broken, AMQPURL: amqpURL, Root: root, KafkaBrokers: a.Getenv(demo.EnvKafkaBrokers)}
	if o.serve {
		port, err := o.addrs.Check()
		if err != nil {
			return err
		}
		so.RESTAddr, so.GRPCAddr, so.KafkaPort = o.addrs.REST, o.addrs.GRPC, port
	}
	sys, err := shop.Start(ctx, so)
	if err != nil {
		// The shop's errors name its parts ("shop: gRPC server: ..."); say what could not start.
		return exitcode.Unavailablef("the example shop did not start: %s", strings.TrimPrefix(err.Error(), "shop: "))
	}
	defer sys.Close()
	fmt.Fprintf(a.stdout, "  orders API (REST) %s\n  OrderService (gRPC) %s\n  Kafka %s\n", sys.RESTURL, sys.GRPCAddr, sys.KafkaBrokers)
	if o.serve {
		if sys.AMQPErr != nil {
			fmt.Fprintf(a.stdout, "  RabbitMQ: off (%v)\n", sys.AMQPErr)
		} else {
			fmt.Fprintf(a.stdout, "  RabbitMQ %s\n", scenario.RedactURL(sys.AMQPURL))
		}
		fmt.Fprintf(a.stdout, "Serving until interrupted (Ctrl-C). From the repository, in another terminal:\n  %s\n", o.addrs.RunCommand(sys))
		<-ctx.Done()
		return nil
	}

	// The scenario reads the shop's addresses from the environment, as it would in CI.
	env := make(map[string]string, len(a.env)+4)
	for k, v := range a.env {
		env[k] = v
	}
	for k, v := range demo.Env(sys) {
		env[k] = v
	}
	a.env = env

	s, skip, err := demo.LoadScenario(root, o.out, o.duration, sys)
	if err != nil {
		return exitcode.Usagef("%w", err)
	}
	ro := runOptions{command: "demo", skip: skip}
	if o.broken {
		ro.notes = append(ro.notes, "--break: the orders API renames the order's status field to state and answers 200 for a missing order")
	}
	fmt.Fprintln(a.stdout)
	err = runScenario(ctx, a, s, ro)
	if o.broken && exitcode.Code(err) == exitcode.Failed {
		fmt.Fprintf(a.stdout, "\nThe contract failed as --break intended: open %s to see the drift.\n", s.Outputs.HTML)
	}
	var e *exitcode.Error
	if err != nil && !errors.As(err, &e) {
		return exitcode.Unavailablef("%w", err)
	}
	return err
}
