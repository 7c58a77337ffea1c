package amqp

import (
	"errors"
	"fmt"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/commbench/commbench/drivers"
)

// ErrReturned is the error a mandatory message's done callback gets when the broker returned it
// as unroutable (basic.return, 312 NO_ROUTE: no queue is bound for its routing key).
var ErrReturned = errors.New("message returned by the broker as unroutable")

// replyNames are the AMQP 0-9-1 reply code names (spec section 1.2, constants).
var replyNames = map[int]string{
	amqp091.ContentTooLarge:    "CONTENT_TOO_LARGE",
	amqp091.NoRoute:            "NO_ROUTE",
	amqp091.NoConsumers:        "NO_CONSUMERS",
	amqp091.ConnectionForced:   "CONNECTION_FORCED",
	amqp091.InvalidPath:        "INVALID_PATH",
	amqp091.AccessRefused:      "ACCESS_REFUSED",
	amqp091.NotFound:           "NOT_FOUND",
	amqp091.ResourceLocked:     "RESOURCE_LOCKED",
	amqp091.PreconditionFailed: "PRECONDITION_FAILED",
	amqp091.FrameError:         "FRAME_ERROR",
	amqp091.SyntaxError:        "SYNTAX_ERROR",
	amqp091.CommandInvalid:     "COMMAND_INVALID",
	amqp091.ChannelError:       "CHANNEL_ERROR",
	amqp091.UnexpectedFrame:    "UNEXPECTED_FRAME",
	amqp091.ResourceError:      "RESOURCE_ERROR",
	amqp091.NotAllowed:         "NOT_ALLOWED",
	amqp091.NotImplemented:     "NOT_IMPLEMENTED",
	amqp091.InternalError:      "INTERNAL_ERROR",
}

// brokerError describes a channel or connection closed by the broker with its reply code and text
// and a hint; it wraps e (errors.As *amqp091.Error) and, for 403, drivers.ErrAuth.
func brokerError(scope string, e *amqp091.Error) error {
	name := replyNames[e.Code]
	if name == "" {
		name = "reply code"
	}
	base := fmt.Sprintf("broker closed the %s: %d %s: %s", scope, e.Code, name, e.Reason)
	switch e.Code {
	case amqp091.AccessRefused:
		return fmt.Errorf("%s: %w: check the user's permissions on this vhost: %w", base, drivers.ErrAuth, e)
	case amqp091.NotFound:
		return fmt.Errorf("%s (create it, or pass --declare / option declare=true): %w", base, e)
	case amqp091.PreconditionFailed:
		return fmt.Errorf("%s (it exists with other arguments than asked: align exchange_type/queue_type with the broker): %w", base, e)
	case amqp091.ResourceLocked:
		return fmt.Errorf("%s (an exclusive queue is in use by another connection): %w", base, e)
	case amqp091.ConnectionForced:
		return fmt.Errorf("%s (an operator or the broker shutting down closed it): %w", base, e)
	default:
		return fmt.Errorf("%s: %w", base, e)
	}
}
