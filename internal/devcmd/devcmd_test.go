package devcmd_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/devcmd"
)

const token = "devcmd-test-token-7d1e"

func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// lineWriter collects output and signals each write.
type lineWriter struct {
	mu    sync.Mutex
	buf   strings.Builder
	wrote chan struct{}
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func TestEmulatorUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  func(string) string
		code int
		out  string // substring of stderr
	}{
		{"help", []string{"-h"}, env(), devcmd.ExitOK, "Usage: sociogram emulator"},
		{"stray argument", []string{"8090"}, env(), devcmd.ExitUsage, `unexpected argument "8090"`},
		{"bad flag", []string{"-port", "1"}, env(), devcmd.ExitUsage, "Usage: sociogram emulator"},
		{"no token", nil, env(), devcmd.ExitFailed, "sociogram emulator: no bot token: SOCIOGRAM_BOT_TOKEN is not set"},
		{"bad address", nil, env("SOCIOGRAM_BOT_TOKEN", token, "EMULATOR_ADDR", "127.0.0.1:notaport"), devcmd.ExitFailed,
			`sociogram emulator: EMULATOR_ADDR="127.0.0.1:notaport": want HOST:PORT, e.g. 127.0.0.1:8090 (a port number from 0 to 65535)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr strings.Builder
			code := devcmd.Emulator(context.Background(), "sociogram emulator", c.args, c.env, io.Discard, &stderr)
			if code != c.code || !strings.Contains(stderr.String(), c.out) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s", code, c.code, c.out, stderr.String())
			}
		})
	}
}

// TestEmulatorServes starts the emulator on a free port, fetches its chat
// page and stops it by cancelling the context.
func TestEmulatorServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stdout := &lineWriter{wrote: make(chan struct{}, 1)}
	done := make(chan int)
	go func() {
		done <- devcmd.Emulator(ctx, "emulator", nil, env("SOCIOGRAM_BOT_TOKEN", token, "EMULATOR_ADDR", "127.0.0.1:0"), stdout, io.Discard)
	}()
	var url string
	for url == "" {
		select {
		case <-stdout.wrote:
		case code := <-done:
			t.Fatalf("emulator exited %d: %s", code, stdout.String())
		case <-time.After(10 * time.Second):
			t.Fatalf("no chat page URL printed: %q", stdout.String())
		}
		if _, rest, ok := strings.Cut(stdout.String(), "chat page"); ok && strings.Contains(rest, "\n") {
			url = strings.TrimSpace(strings.SplitN(rest, "\n", 2)[0])
		}
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != devcmd.ExitOK {
			t.Errorf("exit %d after cancel, want 0", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulator did not stop after its context was cancelled")
	}
	if strings.Contains(stdout.String(), token) {
		t.Error("the token appears in the output")
	}
}

func TestTrigger(t *testing.T) {
	var got []string // what the fake bot received: key and body
	var mu sync.Mutex
	bot := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Header.Get(handler.HeaderAppKey)+" "+string(body))
		mu.Unlock()
		if r.Header.Get(handler.HeaderAppKey) != token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "OK")
	}))
	defer bot.Close()
	cases := []struct {
		name   string
		args   []string
		env    func(string) string
		code   int
		out    string // substring of stdout+stderr
		posted string // substring of what the bot received, "" for nothing
	}{
		{"chat-message", []string{"-url", bot.URL, "-text", "hi"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitOK,
			"200 OK", `{"data":{"chat-message":{"uid":12345,"chatId":"` + devcmd.DefaultChatID},
		{"callback, first of two tokens, URL from BOT_URL", []string{"-callback", "more_info", "-uid", "7"},
			env("SOCIOGRAM_BOT_TOKEN", token+",old", "BOT_URL", bot.URL), devcmd.ExitOK, `callbackData="more_info"`, `"callbackData":"more_info"`},
		{"wrong token", []string{"-url", bot.URL, "-token", "wrong"}, env(), devcmd.ExitFailed, "sociogram trigger: webhook answered 401", "wrong "},
		{"help", []string{"-h"}, env(), devcmd.ExitOK, "Usage: sociogram trigger", ""},
		{"no token", []string{"-url", bot.URL}, env(), devcmd.ExitUsage, "no token: set SOCIOGRAM_BOT_TOKEN or pass -token", ""},
		{"both kinds", []string{"-text", "a", "-callback", "b"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitUsage, "not both", ""},
		{"stray argument", []string{"hello"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitUsage, `unexpected argument "hello"`, ""},
		{"bad uid", []string{"-uid", "0"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitUsage, "-uid must be positive", ""},
		{"bad flag", []string{"-nope"}, env("SOCIOGRAM_BOT_TOKEN", token), devcmd.ExitUsage, "Usage: sociogram trigger", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			mu.Lock()
			got = nil
			mu.Unlock()
			var out strings.Builder
			code := devcmd.Trigger(context.Background(), "sociogram trigger", c.args, c.env, &out, &out)
			if code != c.code || !strings.Contains(out.String(), c.out) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s", code, c.code, c.out, out.String())
			}
			if strings.Contains(out.String(), token) {
				t.Errorf("the token appears in the output:\n%s", out.String())
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case c.posted == "" && len(got) > 0:
				t.Errorf("the bot received %q", got)
			case c.posted != "" && (len(got) != 1 || !strings.Contains(got[0], c.posted)):
				t.Errorf("the bot received %q, want one webhook containing %q", got, c.posted)
			}
		})
	}
}
