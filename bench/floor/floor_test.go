package main

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestFloorRepliesAsTheKit sends the starting bot's events to the floor and
// to bin/webhook built on the kit's fixture bot (a frozen copy of the
// starting bot/bot.go) and checks that the Bot API receives the same replies, so the
// benchmark compares the same work.
func TestFloorRepliesAsTheKit(t *testing.T) {
	const token = "floor-test-token"
	events := map[string][]byte{
		"hello":    sociogramtest.ChatMessage(1, "well HELLO there"),
		"start":    sociogramtest.ChatMessage(2, "/start"),
		"greeting": sociogramtest.CallbackQuery(3, "greeting"),
		"products": sociogramtest.CallbackQuery(4, "menu_products"),
		"support":  sociogramtest.CallbackQuery(5, "menu_support"),
		"other":    sociogramtest.CallbackQuery(6, "more_info"),
	}
	replies := map[string]map[string]any{}
	for _, bin := range []string{"./bench/floor", testtools.FixtureWebhook} {
		api := sociogramtest.NewServer(t, token)
		port := testtools.FreePort(t)
		testtools.Start(t, testtools.Build(t, bin), []string{
			"SOCIOGRAM_BOT_TOKEN=" + token, "SOCIOGRAM_API_URL=" + api.URL,
			"SOCIOGRAM_RATE_LIMIT=off", fmt.Sprintf("PORT=%d", port),
		})
		url := fmt.Sprintf("http://127.0.0.1:%d/webhook", port)
		waitPost(t, url)
		for name, body := range events {
			api.Reset()
			resp, err := sociogramtest.Deliver(context.Background(), url, token, body)
			if err != nil || resp.Status != 200 {
				t.Fatalf("%s %s: %v %v", bin, name, resp, err)
			}
			sent := api.Sent()
			if len(sent) != 1 {
				t.Fatalf("%s %s: %d replies", bin, name, len(sent))
			}
			var m map[string]any
			if err := json.Unmarshal(sent[0].Body, &m); err != nil {
				t.Fatal(err)
			}
			if prev, ok := replies[name]; ok && !reflect.DeepEqual(prev, m) {
				t.Errorf("%s: kit sent %v, floor sent %v", name, m, prev)
			}
			replies[name] = m
		}
		resp, err := sociogramtest.Deliver(context.Background(), url, "wrong", events["hello"])
		if err != nil || resp.Status != 401 {
			t.Errorf("%s with a wrong key: %v %v, want 401", bin, resp, err)
		}
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
