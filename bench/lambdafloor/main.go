// Command lambdafloor is the floor the Lambda bootstrap is measured against:
// the least an aws-lambda-go function can do for the same work, written by
// hand without the kit. It takes an HTTP API (payload 2.0) event and serves
// its body with the floor's bot (package bench/internal/floorbot:
// constant-time X-App-Key check, encoding/json, the example bot's reply
// through a keep-alive client), logging one JSON line per invocation to
// stdout with the Lambda request id, as the kit's bootstrap does.
//
// Environment: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL;
// SOCIOGRAM_BENCH_EXIT_FIFO for the instruction counts (package
// bench/internal/benchexit).
package main

import (
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/sociogram-kit/kit/bench/internal/benchexit"
	"github.com/sociogram-kit/kit/bench/internal/floorbot"
)

// requestID adds the invocation's request id to every line logged with its
// context.
type requestID struct{ slog.Handler }

func (h requestID) Handle(ctx context.Context, r slog.Record) error {
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		r.AddAttrs(slog.String("request_id", lc.AwsRequestID))
	}
	return h.Handler.Handle(ctx, r)
}

var bot = floorbot.New(os.Getenv("SOCIOGRAM_BOT_TOKEN"), os.Getenv("SOCIOGRAM_API_URL"),
	slog.New(requestID{slog.NewJSONHandler(os.Stdout, nil)}))

func handle(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	body := []byte(ev.Body)
	status := http.StatusBadRequest
	if !ev.IsBase64Encoded {
		status = bot.Serve(ctx, ev.Headers["x-app-key"], body)
	} else if b, err := base64.StdEncoding.DecodeString(ev.Body); err == nil {
		status = bot.Serve(ctx, ev.Headers["x-app-key"], b)
	}
	text := "OK\n"
	if status != http.StatusOK {
		text = http.StatusText(status) + "\n"
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: status, Body: text,
		Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8"}}, nil
}

func main() { benchexit.Go(func() { lambda.Start(handle) }) }
