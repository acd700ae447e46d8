package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

const floorToken = "floor-test-token"

// floorEvents are the load's kinds of event (bench/load), one of each.
var floorEvents = []struct {
	name string
	uid  int64
	body []byte
}{
	{"hello", 1, sociogramtest.ChatMessage(1, "well HELLO there")},
	{"start", 2, sociogramtest.ChatMessage(2, "/start")},
	{"greeting", 3, sociogramtest.CallbackQuery(3, "greeting")},
	{"products", 4, sociogramtest.CallbackQuery(4, "menu_products")},
	{"support", 5, sociogramtest.CallbackQuery(5, "menu_support")},
	{"other", 6, sociogramtest.CallbackQuery(6, "more_info")},
}

// server is a floor or the kit under test on one path: deliver sends a
// webhook with key and returns its status; output is what it logged.
type server struct {
	deliver func(t *testing.T, key string, body []byte) int
	output  func() string
}

// TestFloorRepliesAsTheKit sends the load's events to each floor and to the
// kit's entry point of the same path, built on the kit's fixture bot (a
// frozen copy of the starting bot/bot.go), and checks that the Bot API
// receives the same replies byte for byte, that a wrong key is refused 401 by
// both, and that each logs one JSON line per webhook with its event kind,
// uid and status: the benchmark compares equal work.
func TestFloorRepliesAsTheKit(t *testing.T) {
	for _, path := range []struct {
		name       string
		floor, kit string
		start      func(t *testing.T, bin, apiURL string) server
		buildFlags []string
		needsTool  string
	}{
		{"plain HTTP", "./bench/floor", testtools.FixtureWebhook, startHTTP("/webhook"), nil, ""},
		{"Cloud Functions", "./bench/gcffloor", testtools.FixtureGCF, startHTTP("/"), nil, ""},
		{"Lambda", "./bench/lambdafloor", testtools.FixtureBootstrap, startLambda, []string{"-tags", "lambda.norpc"}, "aws-lambda-rie"},
	} {
		t.Run(path.name, func(t *testing.T) {
			if path.needsTool != "" {
				testtools.Require(t, path.needsTool)
			}
			replies := map[string][]byte{}
			for _, bin := range []string{path.floor, path.kit} {
				api := sociogramtest.NewServer(t, floorToken)
				srv := path.start(t, testtools.Build(t, bin, path.buildFlags...), api.URL)
				for _, ev := range floorEvents {
					api.Reset()
					if st := srv.deliver(t, floorToken, ev.body); st != http.StatusOK {
						t.Fatalf("%s %s: status %d\n%s", bin, ev.name, st, srv.output())
					}
					sent := api.Sent()
					if len(sent) != 1 {
						t.Fatalf("%s %s: %d replies", bin, ev.name, len(sent))
					}
					if prev, ok := replies[ev.name]; ok && !jsonEqual(prev, sent[0].Body) {
						t.Errorf("%s: the kit sent %s, the floor sent %s", ev.name, sent[0].Body, prev)
					}
					replies[ev.name] = sent[0].Body
				}
				if st := srv.deliver(t, "wrong", floorEvents[0].body); st != http.StatusUnauthorized {
					t.Errorf("%s with a wrong key: %d, want 401", bin, st)
				}
				checkLogLines(t, bin, srv.output)
			}
		})
	}
}

// checkLogLines waits for one JSON line per event with its kind, uid and
// status 200, then one with status 401, at the end of output (a line is
// written after its answer, so the last may come a moment later).
func checkLogLines(t *testing.T, bin string, output func() string) {
	t.Helper()
	type line struct {
		Event  string `json:"event"`
		UID    int64  `json:"uid"`
		Status int    `json:"status"`
	}
	var want []line
	for _, ev := range floorEvents {
		kind := "chat-message"
		if !strings.Contains(string(ev.body), `"chat-message"`) {
			kind = "callback-query"
		}
		want = append(want, line{kind, ev.uid, 200})
	}
	want = append(want, line{Status: 401})
	var got []line
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		got = nil
		sc := bufio.NewScanner(strings.NewReader(output()))
		for sc.Scan() {
			var l line
			if json.Unmarshal(sc.Bytes(), &l) == nil && l.Status != 0 {
				got = append(got, l)
			}
		}
		if len(got) > len(want) {
			got = got[len(got)-len(want):] // waitPost's probes came first
		}
		if reflect.DeepEqual(got, want) {
			return
		}
	}
	t.Errorf("%s logged %+v, want one line per webhook %+v; its output:\n%s", bin, got, want, output())
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}

// startHTTP starts an HTTP server (bin/webhook-like or bin/gcf-like) and
// delivers webhooks to path.
func startHTTP(path string) func(t *testing.T, bin, apiURL string) server {
	return func(t *testing.T, bin, apiURL string) server {
		port := testtools.FreePort(t)
		p := testtools.Start(t, bin, []string{
			"SOCIOGRAM_BOT_TOKEN=" + floorToken, "SOCIOGRAM_API_URL=" + apiURL,
			"SOCIOGRAM_RATE_LIMIT=off", fmt.Sprintf("PORT=%d", port), "HOST=127.0.0.1",
		})
		url := fmt.Sprintf("http://127.0.0.1:%d%s", port, path)
		waitPost(t, url)
		return server{
			deliver: func(t *testing.T, key string, body []byte) int {
				resp, err := sociogramtest.Deliver(context.Background(), url, key, body)
				if err != nil {
					t.Fatal(err)
				}
				return resp.Status
			},
			output: p.Output,
		}
	}
}

// startLambda runs bin under aws-lambda-rie and delivers webhooks as HTTP
// API (payload 2.0) events.
func startLambda(t *testing.T, bin, apiURL string) server {
	l := testtools.StartLambda(t, testtools.Require(t, "aws-lambda-rie"), bin,
		"SOCIOGRAM_BOT_TOKEN="+floorToken, "SOCIOGRAM_API_URL="+apiURL, "SOCIOGRAM_RATE_LIMIT=off")
	return server{
		deliver: func(t *testing.T, key string, body []byte) int {
			ev := events.APIGatewayV2HTTPRequest{
				Version: "2.0", RouteKey: "POST /webhook", RawPath: "/webhook",
				Headers: map[string]string{"content-type": "application/json", "x-app-key": key},
				Body:    string(body),
			}
			ev.RequestContext.HTTP.Method, ev.RequestContext.HTTP.Path = http.MethodPost, "/webhook"
			event, err := json.Marshal(ev)
			if err != nil {
				t.Fatal(err)
			}
			var answer events.APIGatewayV2HTTPResponse
			if out := l.Invoke(t, event); json.Unmarshal(out, &answer) != nil {
				t.Fatalf("invocation answered %s", out)
			}
			return answer.StatusCode
		},
		output: l.Output,
	}
}

// waitPost waits until url accepts connections (the floor has no health path).
func waitPost(t *testing.T, url string) {
	t.Helper()
	for range 500 {
		if _, err := sociogramtest.Deliver(context.Background(), url, "x", nil); err == nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}
