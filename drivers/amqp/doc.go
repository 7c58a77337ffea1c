// Package amqp is the AMQP 0-9-1 driver (RabbitMQ), built on github.com/rabbitmq/amqp091-go.
//
// # Target
//
// Target.Address is an AMQP URI (https://www.rabbitmq.com/docs/uri-spec):
// amqp://user:pass@host:5672/vhost or amqps:// for TLS. ${NAME} in the URI is replaced from the
// environment lookup (Target.LookupEnv, else the process environment; $$ is a literal $), so credentials need not be written in scenario files;
// Target.Username and Target.Password, when set, replace the URI's credentials. Credentials never
// appear in errors: addresses are shown as scheme://host:port/vhost. Target.TLS (CA file, client
// certificate) turns TLS on; amqps:// alone uses the system roots.
//
// # Routes
//
// A published message's Route is "exchange/routing.key" (the default exchange is "/queue-name"
// or an empty exchange). A Subscription's Route is "exchange/routing.key", for which an exclusive,
// auto-deleted, server-named queue is declared and bound, or "queue:NAME" to consume an existing
// queue.
//
// # Options (Target.Options)
//
//	declare        false     declare what is used: exchanges (durable, of exchange_type), "queue:NAME"
//	                         queues (durable, of queue_type) and the binding given by bind. Without it
//	                         a missing exchange or queue is an error saying to use --declare.
//	exchange_type  topic     type of declared exchanges: direct, fanout, topic, headers
//	queue_type     classic   type of declared named queues: classic or quorum
//	bind           ""        "exchange/routing.key" a declared "queue:NAME" queue is bound to
//	confirm        true      publisher confirms: done is called when the broker acks (nil) or nacks
//	mandatory      false     publish with the mandatory flag; a returned (unroutable) message fails
//	                         its done callback with ErrReturned and is counted (Conn.Returned)
//	persistent     false     delivery mode 2 (persistent) for published messages
//	max_in_flight  1024      unconfirmed messages per connection; Publish blocks beyond it (1..1000000)
//	prefetch       100       QoS prefetch count of subscriptions (Subscription.Prefetch overrides)
//	heartbeat      10s       AMQP heartbeat interval
//
// # Message properties
//
// Message.Properties set on a published message (each overrides the option of the same name):
// mandatory, persistent ("true"/"false"), delivery_mode ("1" or "2"), message_id, correlation_id,
// reply_to, type, app_id, user_id, expiration (ms), content_encoding, priority (0..255), timestamp
// (RFC 3339, Unix seconds, or "now"). Message.ContentType is the content-type property;
// Message.Headers is the headers table (one value: a string; several: an array of strings).
//
// Received messages carry the properties above that are set, plus exchange, routing_key,
// delivery_mode and redelivered; Message.Time is the timestamp property when the publisher set it
// (AMQP has no broker timestamp). Route is "exchange/routing_key".
//
// # Errors
//
// An address that does not answer within Target.ConnectTimeout wraps drivers.ErrUnreachable;
// refused credentials or vhost access (403 ACCESS_REFUSED) wrap drivers.ErrAuth. Channel and
// connection closures by the broker are reported with the reply code and text (errors.As to
// *amqp091.Error) and a hint at the cause. Once the connection is lost, whether the broker
// closed it (connection.close, e.g. 320 CONNECTION_FORCED) or the network failed (reset, EOF,
// missed heartbeats), every operation, the done callbacks of unconfirmed messages, and the Close
// of a running subscription return an error wrapping drivers.ErrUnreachable (after Conn.Close:
// drivers.ErrClosed).
package amqp
