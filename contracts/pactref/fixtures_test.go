//go:build pact

package pactref

import (
	"encoding/json"

	. "github.com/pact-foundation/pact-go/v2/matchers"
)

// fixture is one reference pact: which DSL writes it and which interactions it holds.
type fixture struct {
	consumer string
	provider string
	version  string // "V3" or "V4": specification the pact is written in
	http     []httpSpec
	messages []messageSpec
}

// file is the name pact-go gives the pact file: <consumer>-<provider>.json.
func (f fixture) file() string { return f.consumer + "-" + f.provider + ".json" }

// httpSpec is one HTTP interaction: the consumer DSL (request and response with matchers), the
// response a correct provider gives (deliberately not the consumer's example values) and the
// broken variants of that provider.
type httpSpec struct {
	desc        string
	state       string
	params      map[string]any
	method      string
	path        string
	query       map[string]Matcher
	reqHeaders  map[string]Matcher
	reqBody     any // JSON body with matchers; nil: none
	status      int
	respHeaders map[string]Matcher
	respBody    any    // JSON body with matchers; nil: none (or respText)
	respText    string // non-JSON response body, Content-Type given by textType
	textType    string
	good        actual
	variants    []variant
}

// messageSpec is one asynchronous message: the consumer DSL (contents with matchers, metadata),
// what a correct producer sends and the broken producers.
type messageSpec struct {
	desc     string
	state    string
	metadata map[string]string
	content  any
	good     actual
	variants []variant
}

const consumerName = "pactref-consumer"

func hdr(kv ...string) map[string]string {
	h := map[string]string{"Content-Type": "application/json"}
	for i := 0; i+1 < len(kv); i += 2 {
		h[kv[i]] = kv[i+1]
	}
	return h
}

type obj = map[string]any
type arr = []any

// fixtures lists the reference pacts. Interaction descriptions are unique per pact.
var fixtures = []fixture{httpV3Fixture, httpV4Fixture, messageV4Fixture}

var httpV3Fixture = fixture{
	consumer: consumerName, provider: "pactref-http-v3", version: "V3",
	http: []httpSpec{
		{
			desc: "a request for order 42", state: "order 42 exists",
			method: "GET", path: "/orders/42",
			reqHeaders: map[string]Matcher{"Accept": S("application/json")},
			status:     200,
			respHeaders: map[string]Matcher{
				"Content-Type": Regex("application/json", `^application/json(;\s*charset=[\w-]+)?$`),
			},
			respBody: obj{
				"id":        Integer(42),
				"status":    Regex("shipped", `^(pending|shipped|delivered)$`),
				"total":     Decimal(19.99),
				"createdAt": DateTimeGenerated("2024-01-02T03:04:05", "yyyy-MM-dd'T'HH:mm:ss"),
				"customer": Like(obj{
					"name":  Like("Ann"),
					"email": Regex("ann@example.com", `^[^@\s]+@[^@\s]+$`),
				}),
			},
			good: actual{Status: 200, Headers: hdr("Content-Type", "application/json; charset=utf-8"), Body: obj{
				"id": 1042, "status": "delivered", "total": 7.25, "createdAt": "2025-06-30T23:59:01",
				"customer": obj{"name": "Bob", "email": "bob@example.org"},
			}},
			variants: []variant{
				wrongType("id", "1042"), missingField("customer.email"), wrongStatus(500),
				wrongHeader("Content-Type", "text/plain"), extraField("customer.vip", true),
				wrongValue("status", "lost"), wrongValue("createdAt", "30/06/2025 23:59"),
				otherValue("createdAt", "2025-06-30T23:59:01.123"), wrongType("customer", nil),
			},
		},
		{
			desc: "a request for open orders", method: "GET", path: "/orders",
			query:  map[string]Matcher{"status": S("open")},
			status: 200,
			respBody: obj{
				"orders": EachLike(obj{"id": Integer(1), "total": Decimal(10.5)}, 2),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"orders": arr{
				obj{"id": 7, "total": 3.5}, obj{"id": 8, "total": 12.75}, obj{"id": 9, "total": 0.5},
			}}},
			variants: []variant{
				extraItem("orders", 2), truncateArray("orders", 1), wrongType("orders.2.id", "9"),
				missingField("orders.0.total"), wrongType("orders", obj{"id": 7}),
				otherHeader("Content-Type", "application/json; charset=UTF-8"),
			},
		},
		{
			desc: "a request for product 7", method: "GET", path: "/products/7",
			status: 200,
			respBody: obj{
				"sku":  Regex("SKU-0007", `^SKU-\d{4}$`),
				"tags": ArrayMaxLike("red", 3),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"sku": "SKU-1234", "tags": arr{"blue", "green"}}},
			variants: []variant{
				extraItem("tags", 1), extraItem("tags", 2), wrongValue("sku", "SKU-12"), wrongType("tags.0", 5),
			},
		},
		{
			desc: "a request to create an order", method: "POST", path: "/orders",
			reqHeaders: map[string]Matcher{"Content-Type": S("application/json")},
			reqBody:    obj{"sku": Like("SKU-0007"), "quantity": Integer(2)},
			status:     201,
			respHeaders: map[string]Matcher{
				"Location": Regex("/orders/43", `^/orders/\d+$`),
			},
			respBody: obj{"id": Integer(43), "quantity": Like(2)},
			good:     actual{Status: 201, Headers: hdr("Location", "/orders/99"), Body: obj{"id": 99, "quantity": 2}},
			variants: []variant{
				wrongStatus(200), wrongHeader("Location", "/carts/99"), wrongHeader("Location", ""),
				wrongType("quantity", "2"),
			},
		},
		{
			desc: "a request to delete order 42", state: "order 42 exists",
			method: "DELETE", path: "/orders/42",
			status: 204,
			good:   actual{Status: 204, Headers: map[string]string{}},
			variants: []variant{
				wrongStatus(200), wrongStatus(404),
			},
		},
		{
			desc: "a request for the profile of customer 3", method: "GET", path: "/customers/3/profile",
			status: 200,
			respBody: obj{
				"nickname": Null{},
				"age":      Integer(30),
				"vip":      Like(true),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"nickname": nil, "age": 41, "vip": false}},
			variants: []variant{
				wrongType("vip", "yes"), wrongType("nickname", "bob"), wrongType("age", 41.5), missingField("nickname"),
			},
		},
		{
			desc: "a request for the greeting", method: "GET", path: "/greeting",
			query:    map[string]Matcher{"name": Regex("Ann", `^\w+$`)},
			status:   200,
			respBody: obj{"message": Includes("hello")},
			good:     actual{Status: 200, Headers: hdr(), Body: obj{"message": "well hello there"}},
			variants: []variant{
				wrongValue("message", "goodbye"), wrongValue("message", "Hello"), wrongType("message", 7),
				otherValue("message", "HELLO hello"),
			},
		},
		{
			desc: "a request for exchange rates", method: "GET", path: "/rates",
			status: 200,
			respBody: obj{
				"base":  Equality("EUR"),
				"rates": EachKeyLike("USD", obj{"USD": Like(1.08)}),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"base": "EUR", "rates": obj{"GBP": 0.86, "JPY": 157.3}}},
			variants: []variant{
				wrongType("rates.JPY", "157.3"), wrongValue("base", "USD"), extraField("rates.CHF", 0.94),
			},
		},
		{
			desc: "a request for the order timeline", method: "GET", path: "/orders/42/timeline",
			status: 200,
			respBody: obj{
				"events": ArrayContaining([]interface{}{
					obj{"type": S("created"), "at": Like("2024-01-01")},
					obj{"type": S("paid"), "amount": Decimal(19.99)},
				}),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"events": arr{
				obj{"type": "created", "at": "2025-01-01"}, obj{"type": "packed"}, obj{"type": "paid", "amount": 5.5},
			}}},
			variants: []variant{
				truncateArray("events", 2), wrongType("events.2.amount", "5.5"), extraItem("events", 1),
			},
		},
		{
			desc: "a request for request tracing details", method: "GET", path: "/trace",
			status: 200,
			respBody: obj{
				"requestId": UUID(),
				"clientIp":  IPAddress(),
				"checksum":  HexValue(),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{
				"requestId": "0d3c1e4a-9b2f-4c8e-a1d2-3e4f5a6b7c8d", "clientIp": "10.1.2.3", "checksum": "DEADbeef",
			}},
			variants: []variant{
				wrongValue("requestId", "not-a-uuid"), wrongValue("checksum", "xyz"),
				// The pattern is unanchored: pact-go's Rust core still requires the whole value
				// to match, so a prefixed UUID fails.
				wrongValue("requestId", "id:0d3c1e4a-9b2f-4c8e-a1d2-3e4f5a6b7c8d"),
				wrongType("clientIp", 10),
			},
		},
		{
			desc: "a request for user 7", state: "user exists", params: map[string]any{"id": 7},
			method: "GET", path: "/users/7",
			status: 200,
			respBody: obj{
				"id":    Like(7),
				"name":  Like("Ann"),
				"roles": EachLike(Regex("admin", `^(admin|user)$`), 1),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"id": 7, "name": "Cleo", "roles": arr{"user"}}},
			variants: []variant{
				extraItem("roles", 1), wrongValue("roles.0", "root"), wrongType("roles", "user"),
				truncateArray("roles", 0),
			},
		},
		{
			desc: "a request for the catalogue summary", method: "GET", path: "/catalogue",
			status: 200,
			respBody: obj{
				"name":       "main",
				"categories": arr{"books", "games"},
				"count":      Like(2),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"name": "main", "categories": arr{"books", "games"}, "count": 5}},
			variants: []variant{
				extraItem("categories", 1), wrongValue("name", "outlet"), truncateArray("categories", 1),
			},
		},
	},
}

var httpV4Fixture = fixture{
	consumer: consumerName, provider: "pactref-http-v4", version: "V4",
	http: []httpSpec{
		{
			desc: "a request for invoice 9", state: "invoice 9 exists",
			method: "GET", path: "/invoices/9",
			status: 200,
			respBody: obj{
				"number":  Regex("INV-0009", `^INV-\d{4}$`),
				"issued":  DateGenerated("2024-02-29", "yyyy-MM-dd"),
				"cutoff":  TimeGenerated("13:45:00", "HH:mm:ss"),
				"amount":  Decimal(99.95),
				"settled": Like(false),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{
				"number": "INV-0123", "issued": "2025-12-31", "cutoff": "08:00:59", "amount": 0.05, "settled": true,
			}},
			variants: []variant{
				wrongValue("issued", "2025/12/31"), wrongValue("cutoff", "8 o'clock"), wrongType("settled", "true"),
				missingField("number"), wrongStatus(404),
				otherValue("issued", "2025-02-30"), otherValue("cutoff", "25:00:00"),
				otherValue("cutoff", "23:59:60"),
			},
		},
		{
			desc: "a request for recent invoices", method: "GET", path: "/invoices",
			query:  map[string]Matcher{"limit": Regex("3", `^\d+$`)},
			status: 200,
			respBody: obj{
				"items": ArrayMinMaxLike(obj{"number": Like("INV-0001"), "amount": Decimal(1.5)}, 1, 3),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"items": arr{
				obj{"number": "INV-0100", "amount": 2.5}, obj{"number": "INV-0101", "amount": 7.25},
			}}},
			variants: []variant{
				extraItem("items", 1), extraItem("items", 2), truncateArray("items", 0), wrongType("items.1.amount", true),
			},
		},
		{
			desc: "a request for the rate limit", method: "GET", path: "/limits",
			status: 200,
			respHeaders: map[string]Matcher{
				"X-Rate-Limit":  Regex("100", `^\d+$`),
				"Cache-Control": S("no-store"),
			},
			respBody: obj{"remaining": Integer(99)},
			good:     actual{Status: 200, Headers: hdr("X-Rate-Limit", "5000", "Cache-Control", "no-store"), Body: obj{"remaining": 12}},
			variants: []variant{
				wrongHeader("X-Rate-Limit", "lots"), wrongHeader("X-Rate-Limit", ""), wrongHeader("Cache-Control", "max-age=60"),
				wrongType("remaining", "12"), otherHeader("Cache-Control", "no-store, no-cache"),
			},
		},
		{
			desc: "a ping", method: "GET", path: "/ping",
			status:   200,
			respText: "pong", textType: "text/plain",
			good: actual{Status: 200, Headers: map[string]string{"Content-Type": "text/plain"}, Text: "pong"},
			variants: []variant{
				wrongText("pang"), wrongText("pong\n"), wrongHeader("Content-Type", "application/octet-stream"), wrongStatus(503),
			},
		},
		{
			desc: "a request for the report pages", method: "GET", path: "/reports/1/pages",
			status: 200,
			respBody: obj{
				"pages": EachLike(obj{
					"title": Like("Intro"),
					"lines": EachLike(obj{"n": Integer(1), "text": Like("hello")}, 1),
				}, 1),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"pages": arr{
				obj{"title": "One", "lines": arr{obj{"n": 1, "text": "a"}, obj{"n": 2, "text": "b"}}},
				obj{"title": "Two", "lines": arr{obj{"n": 1, "text": "c"}}},
			}}},
			variants: []variant{
				wrongType("pages.1.lines.0.n", "1"), missingField("pages.0.lines.1.text"), extraItem("pages.1.lines", 3),
				wrongType("pages.0.lines", obj{"n": 1, "text": "a"}),
			},
		},
		{
			desc: "a request to update invoice 9", state: "invoice 9 exists",
			method: "PUT", path: "/invoices/9",
			reqHeaders: map[string]Matcher{"Content-Type": S("application/json")},
			reqBody:    obj{"settled": Like(true)},
			status:     200,
			respBody:   obj{"updated": Like(true), "version": Integer(2)},
			good:       actual{Status: 200, Headers: hdr(), Body: obj{"updated": true, "version": 17}},
			variants: []variant{
				wrongStatus(404), wrongStatus(201), wrongType("version", 17.5),
			},
		},
		{
			desc: "a request for a missing invoice", state: "no invoices",
			method: "GET", path: "/invoices/404",
			status:   404,
			respBody: obj{"error": Like("not found"), "code": Regex("E404", `^E\d{3}$`)},
			good:     actual{Status: 404, Headers: hdr(), Body: obj{"error": "no such invoice", "code": "E404"}},
			variants: []variant{
				wrongStatus(200), wrongValue("code", "404"), missingField("error"),
			},
		},
		{
			desc: "a request for the statistics", method: "GET", path: "/stats",
			status: 200,
			respBody: obj{
				"count": Integer(3),
				"ratio": Decimal(0.25),
				"score": Like(1),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"count": 12, "ratio": 0.75, "score": 7.5}},
			variants: []variant{
				wrongType("count", 3.5), wrongType("ratio", 1), wrongType("score", "7"), wrongType("count", nil),
				otherValue("score", 7), otherValue("count", 1e3),
				// Numbers as written on the wire (json.Number is sent verbatim).
				otherValue("count", json.Number("1e3")), otherValue("count", json.Number("5.0")),
				otherValue("ratio", json.Number("2.0")), otherValue("ratio", 1e-7),
			},
		},
		{
			desc: "a search for invoices", method: "GET", path: "/invoices/search",
			query:      map[string]Matcher{"q": Like("acme"), "page": Regex("1", `^\d+$`)},
			reqHeaders: map[string]Matcher{"Accept": Regex("application/json", `^application/(json|\*)$`)},
			status:     200,
			respBody: obj{
				"total": Integer(1),
				"links": obj{"self": Regex("/invoices/search?page=1", `^/invoices/search\?page=\d+$`)},
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"total": 0, "links": obj{"self": "/invoices/search?page=2"}}},
			variants: []variant{
				missingField("links.self"), wrongValue("links.self", "/other"), wrongType("links", arr{"x"}),
			},
		},
		{
			desc: "a health check", method: "GET", path: "/health",
			status:   200,
			respBody: obj{"status": S("UP"), "checks": Like(obj{"db": S("UP")})},
			good:     actual{Status: 200, Headers: hdr(), Body: obj{"status": "UP", "checks": obj{"db": "DOWN"}, "uptime": 12}},
			variants: []variant{
				wrongValue("status", "DOWN"), missingField("checks"), wrongStatus(503), extraField("checks.cache", "UP"),
			},
		},
		{
			desc: "a request for the customer's addresses", state: "customer 5 has addresses",
			params: map[string]any{"customer": 5},
			method: "GET", path: "/customers/5/addresses",
			status: 200,
			respBody: obj{
				"addresses": ArrayMinMaxLike(obj{
					"line1":    Like("1 Main St"),
					"postcode": Regex("AB1 2CD", `^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$`),
					"primary":  Like(true),
				}, 1, 2),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"addresses": arr{
				obj{"line1": "5 High St", "postcode": "SW1A 1AA", "primary": true},
			}}},
			variants: []variant{
				wrongValue("addresses.0.postcode", "12345"), extraItem("addresses", 1), extraItem("addresses", 2),
				wrongType("addresses.0.primary", 1),
			},
		},
		{
			desc: "a request for the feature flags", method: "GET", path: "/flags",
			status: 200,
			respBody: obj{
				"flags": EachKeyLike("dark-mode", obj{"dark-mode": Like(true)}),
				"tiers": ArrayContaining([]interface{}{S("free"), Like("pro")}),
			},
			good: actual{Status: 200, Headers: hdr(), Body: obj{"flags": obj{"beta": false, "new-ui": true}, "tiers": arr{"pro", "free", "team"}}},
			variants: []variant{
				wrongType("flags.beta", "no"), wrongValue("tiers.1", "basic"), wrongType("tiers.0", 3),
			},
		},
	},
}

var eventMeta = map[string]string{"contentType": "application/json", "topic": "orders"}

func meta(kv ...string) map[string]any {
	m := map[string]any{"contentType": "application/json"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

var messageV4Fixture = fixture{
	consumer: consumerName, provider: "pactref-events-v4", version: "V4",
	messages: []messageSpec{
		{
			desc: "an order created event", state: "an order is placed", metadata: eventMeta,
			content: obj{
				"orderId": Integer(42),
				"items":   EachLike(obj{"sku": Regex("SKU-0001", `^SKU-\d{4}$`), "qty": Integer(1)}, 1),
				"total":   Decimal(19.99),
			},
			good: actual{Metadata: meta("topic", "orders"), Body: obj{
				"orderId": 77, "items": arr{obj{"sku": "SKU-0042", "qty": 3}, obj{"sku": "SKU-0043", "qty": 1}}, "total": 48.5,
			}},
			variants: []variant{
				wrongType("items.0.qty", "3"), missingField("total"), wrongMetadata("topic", "payments"),
				extraItem("items", 2), wrongValue("items.1.sku", "sku-43"),
				missingMetadata("topic"), extraMetadata("traceId", "abc"),
			},
		},
		{
			desc: "an order shipped event", metadata: eventMeta,
			content: obj{
				"orderId":   Like(42),
				"shippedAt": DateTimeGenerated("2024-05-01T10:00:00", "yyyy-MM-dd'T'HH:mm:ss"),
				"carrier":   Regex("DHL", `^(DHL|UPS|FedEx)$`),
			},
			good: actual{Metadata: meta("topic", "orders"), Body: obj{"orderId": 77, "shippedAt": "2025-03-04T05:06:07", "carrier": "UPS"}},
			variants: []variant{
				wrongValue("carrier", "Pigeon"), wrongValue("shippedAt", "2025-03-04"), wrongType("orderId", "77"),
			},
		},
		{
			desc: "a payment captured event", metadata: map[string]string{"contentType": "application/json", "topic": "payments"},
			content: obj{
				"amount":    Decimal(12.5),
				"currency":  Equality("EUR"),
				"reference": UUID(),
			},
			good: actual{Metadata: meta("topic", "payments"), Body: obj{"amount": 99.99, "currency": "EUR", "reference": "7f9c2ba4-e88f-4d2b-9e0a-1b2c3d4e5f60"}},
			variants: []variant{
				wrongValue("currency", "GBP"), wrongType("amount", "99.99"), missingField("reference"),
				wrongMetadata("topic", "orders"),
			},
		},
		{
			desc: "an inventory levels event", metadata: map[string]string{"contentType": "application/json"},
			content: obj{
				"warehouse": Like("north"),
				"levels":    EachKeyLike("SKU-0001", obj{"SKU-0001": Integer(5)}),
			},
			good: actual{Metadata: meta(), Body: obj{"warehouse": "south", "levels": obj{"SKU-0042": 0, "SKU-0043": 17}}},
			variants: []variant{
				wrongType("levels.SKU-0043", "17"), wrongType("levels.SKU-0042", 0.5), wrongType("levels", arr{1, 2}),
			},
		},
		{
			desc: "a user registered event", state: "a user signs up", metadata: map[string]string{"contentType": "application/json", "topic": "users"},
			content: obj{
				"user": obj{
					"id":       Integer(1),
					"email":    Regex("ann@example.com", `^[^@\s]+@[^@\s]+$`),
					"nickname": Null{},
				},
			},
			good: actual{Metadata: meta("topic", "users"), Body: obj{"user": obj{"id": 501, "email": "zed@example.net", "nickname": nil}}},
			variants: []variant{
				wrongValue("user.email", "zed"), wrongType("user.nickname", "z"), missingField("user.id"),
				extraField("user.locale", "en"),
			},
		},
		{
			desc: "a cart abandoned event", metadata: map[string]string{"contentType": "application/json", "topic": "carts"},
			content: obj{
				"cartId": Like("c-1"),
				"skus":   ArrayMinMaxLike(Like("SKU-0001"), 1, 2),
			},
			good: actual{Metadata: meta("topic", "carts"), Body: obj{"cartId": "c-99", "skus": arr{"SKU-0009"}}},
			variants: []variant{
				extraItem("skus", 1), extraItem("skus", 2), truncateArray("skus", 0), wrongType("skus.0", 9),
			},
		},
		{
			desc: "an audit log entry", metadata: map[string]string{"contentType": "application/json", "topic": "audit"},
			content: obj{
				"message": Includes("login"),
				"level":   Regex("INFO", `^(DEBUG|INFO|WARN|ERROR)$`),
			},
			good: actual{Metadata: meta("topic", "audit"), Body: obj{"message": "user 5 login ok", "level": "WARN"}},
			variants: []variant{
				wrongValue("message", "logout"), wrongValue("level", "info"), wrongMetadata("topic", "audits"),
			},
		},
		{
			desc: "a price changed event", metadata: map[string]string{"contentType": "application/json", "topic": "prices"},
			content: obj{
				"sku":       Like("SKU-0001"),
				"old":       Decimal(9.99),
				"new":       Decimal(8.49),
				"effective": DateGenerated("2024-06-01", "yyyy-MM-dd"),
			},
			good: actual{Metadata: meta("topic", "prices"), Body: obj{"sku": "SKU-0100", "old": 20.5, "new": 18.25, "effective": "2025-07-15"}},
			variants: []variant{
				wrongType("new", "18.25"), wrongValue("effective", "15.07.2025"), wrongType("old", 20),
			},
		},
		{
			desc: "a release flags event", metadata: map[string]string{"contentType": "application/json", "topic": "flags"},
			content: obj{
				"flags":   ArrayContaining([]interface{}{S("beta"), Like(1)}),
				"release": Regex("1.2.3", `^\d+\.\d+\.\d+$`),
			},
			good: actual{Metadata: meta("topic", "flags"), Body: obj{"flags": arr{"alpha", 7, "beta"}, "release": "2.0.10"}},
			variants: []variant{
				wrongValue("flags.2", "gamma"), wrongType("flags.1", "7"), wrongValue("release", "v2"),
			},
		},
		{
			desc: "a heartbeat", metadata: map[string]string{"contentType": "application/json"},
			content: obj{
				"seq":  Integer(1),
				"node": Like("n1"),
			},
			good: actual{Metadata: meta(), Body: obj{"seq": 1234567, "node": "n7", "load": 0.3}},
			variants: []variant{
				wrongType("seq", "1"), missingField("node"), wrongMetadata("contentType", "text/plain"),
			},
		},
	},
}
