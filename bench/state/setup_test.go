package state

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/dynamostore"
	"github.com/sociogram-kit/kit/store/firestorestore"
)

var (
	full     = flag.Bool("state.full", false, "the measured run: DynamoDB (moto) and Firestore (emulator) too, and the full trials")
	trials   = flag.Int("state.trials", 20, "measured trials per store (each runs every side once, in rotating order)")
	turns    = flag.Int("state.turns", 200, "turns per side per trial on DynamoDB")
	memTurns = flag.Int("state.memturns", 5000, "turns per side per trial on memory")
	users    = flag.Int("state.users", 50, "distinct uids per trial (turns spread over them)")
	outFile  = flag.String("state.out", "", "also write the tables (markdown) to this file")
	control  = flag.Bool("state.control", false, "a control run: a second floor in the kit's place (its ratios should read 1)")
)

const token = "bench-state-token"

// counter is the benchmark bot's state.
type counter struct {
	N int `json:"n"`
}

var count = handler.NewState[counter]("count")

// jsonLogger is the one-line-per-request logger both sides get: slog's JSON
// handler, formatting every line, writing it nowhere.
func jsonLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }

// noopSender is the reply sink both sides share in the timed runs.
var noopSender = handler.SenderFunc(func(context.Context, int64, handler.Message) error { return nil })

// newKit returns the kit's side: any text adds one to the user's counter and
// replies "count N".
func newKit(t testing.TB, s handler.Store, sender handler.Sender, opts ...handler.Option) *handler.Mux {
	t.Helper()
	opts = append([]handler.Option{handler.WithStore(s), handler.WithSender(sender), handler.WithLogger(jsonLogger())}, opts...)
	mux, err := handler.New(token, opts...)
	if err != nil {
		t.Fatal(err)
	}
	mux.OnAnyText(func(ctx context.Context, ev *handler.Event) error {
		c := count.Get(ev)
		c.N++
		return ev.Reply(ctx, "count "+strconv.Itoa(c.N))
	})
	return mux
}

// newFloor returns the floor's side on s.
func newFloor(s FloorStore, sender handler.Sender, outbox bool) *Floor {
	return &Floor{Token: token, Store: s, Sender: sender, Logger: jsonLogger(), TTL: handler.DefaultStateTTL, Outbox: outbox}
}

// wire counts a client's calls on the wire by operation.
type wire struct {
	mu sync.Mutex
	n  map[string]int
}

func newWire() *wire { return &wire{n: map[string]int{}} }

func (w *wire) add(op string) {
	w.mu.Lock()
	w.n[op]++
	w.mu.Unlock()
}

// take returns the counts since the last take.
func (w *wire) take() map[string]int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.n
	w.n = map[string]int{}
	return n
}

// dynamoWire is an http.RoundTripper counting DynamoDB operations (the
// X-Amz-Target header: DynamoDB_20120810.GetItem, ...), retries included.
type dynamoWire struct {
	next http.RoundTripper
	w    *wire
}

func (d dynamoWire) RoundTrip(r *http.Request) (*http.Response, error) {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		d.w.add(target[strings.LastIndexByte(target, '.')+1:])
	}
	return d.next.RoundTrip(r)
}

// dynamoClient returns a DynamoDB client on moto; w, when not nil, counts
// its calls.
func dynamoClient(motoURL string, w *wire) *dynamodb.Client {
	var rt http.RoundTripper = &http.Transport{MaxIdleConnsPerHost: 100}
	if w != nil {
		rt = dynamoWire{next: rt, w: w}
	}
	return dynamodb.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
		HTTPClient:   &http.Client{Transport: rt},
	})
}

var tables atomic.Int64

// newTable creates a table as template.yaml does (dynamostore's key schema,
// on demand, TTL on expires) and returns its name.
func newTable(t testing.TB, c *dynamodb.Client) string {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf("state-%d", tables.Add(1))
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(dynamostore.AttrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(dynamostore.AttrKey), KeyType: types.KeyTypeHash}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(dynamostore.AttrExpires), Enabled: aws.Bool(true)},
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

// firestoreWire is an http.RoundTripper counting Firestore REST calls by
// method (the path's ":batchGet", ":commit"), retries included.
type firestoreWire struct {
	next http.RoundTripper
	w    *wire
}

func (f firestoreWire) RoundTrip(r *http.Request) (*http.Response, error) {
	f.w.add(r.URL.Path[strings.LastIndexByte(r.URL.Path, ':')+1:])
	return f.next.RoundTrip(r)
}

// firestoreStore returns a store on the collection coll of the emulator at
// host; w, when not nil, counts its calls.
func firestoreStore(t testing.TB, host, coll string, w *wire) *firestorestore.Store {
	t.Helper()
	var rt http.RoundTripper = &http.Transport{MaxIdleConnsPerHost: 100}
	if w != nil {
		rt = firestoreWire{next: rt, w: w}
	}
	s, err := firestorestore.New("kit-bench", "", coll, firestorestore.WithEmulator(host),
		firestorestore.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// report logs a table and appends it to -state.out.
func report(t testing.TB, md string) {
	t.Helper()
	t.Log("\n" + md)
	if *outFile == "" {
		return
	}
	f, err := os.OpenFile(*outFile, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.WriteString(f, md+"\n"); err != nil {
		t.Fatal(err)
	}
}
