package emulator_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/emulator"
)

// callHost is call with the Host and Origin headers set.
func callHost(t *testing.T, method, rawURL, host, origin, body string, header map[string]string) answer {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	if host != "" {
		req.Host = host
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// TestForeignHostRefused: DNS rebinding. A web page whose own name now
// resolves to 127.0.0.1 reaches the emulator with its name in Host: the
// emulator answers 403 to every such request, so the page can neither read
// the conversations nor point the bot URL (and with it the token) at its
// own server. Loopback names, localhost and the listening address pass.
func TestForeignHostRefused(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"), emulator.WithAllowedHost("192.168.7.7:8090"))
	port := strings.TrimPrefix(base, "http://127.0.0.1:")
	json := map[string]string{"Content-Type": "application/json"}
	evil := emulator.Settings{BotURL: "https://attacker.example/steal"}
	requests := []struct {
		method, path, body string
		header             map[string]string
	}{
		{"GET", "/", "", nil},
		{"GET", "/app.js", "", nil},
		{"GET", emulator.StatePath, "", nil},
		{"PUT", emulator.SettingsPath, `{"botUrl":"` + evil.BotURL + `"}`, json},
		{"POST", emulator.MessagePath, `{"uid":12345,"text":"hi"}`, json},
		{"POST", emulator.UsersPath, `{"name":"Mallory"}`, json},
		{"POST", emulator.SendPath, `{"uid":12345,"message":{"text":"x"}}`, map[string]string{"Content-Type": "application/json", "X-App-Key": token}},
	}
	for _, host := range []string{"attacker.example:" + port, "attacker.example", "localhost.attacker.example:" + port, "127.0.0.1.nip.io:" + port, "192.168.7.8:8090"} {
		for _, r := range requests {
			a := callHost(t, r.method, base+r.path, host, "", r.body, r.header)
			if a.Status != http.StatusForbidden || !strings.Contains(a.Body, "Host") {
				t.Errorf("%s %s with Host %s: %d %q, want 403 naming the Host", r.method, r.path, host, a.Status, a.Body)
			}
		}
	}
	if s := emu.State(); s.Settings.BotURL == evil.BotURL || len(s.Users) != 1 || len(s.Chats[12345]) != 0 {
		t.Fatalf("a foreign Host changed the state: %+v", s)
	}
	for _, host := range []string{"127.0.0.1:" + port, "localhost:" + port, "LOCALHOST:" + port, "[::1]:" + port, "127.0.0.2:" + port, "192.168.7.7:8090"} {
		if a := callHost(t, "GET", base+emulator.StatePath, host, "", "", nil); a.Status != http.StatusOK {
			t.Errorf("GET state with Host %s: %d, want 200", host, a.Status)
		}
	}
}

// TestForeignOriginRefused: a state-changing request whose Origin is not the
// emulator's own is refused with 403, whatever its Host; one without Origin
// (curl, the bot, tests) or with the page's own passes.
func TestForeignOriginRefused(t *testing.T) {
	emu, base := start(t, emulator.WithUser(12345, "Alice"))
	host := strings.TrimPrefix(base, "http://")
	json := map[string]string{"Content-Type": "application/json"}
	settings := func(url string) string { return `{"botUrl":"` + url + `"}` }
	for _, origin := range []string{"https://attacker.example", "http://attacker.example:" + strings.Split(host, ":")[1], "null", "http://127.0.0.1:1", "https://" + host} {
		for _, r := range []struct{ method, path, body string }{
			{"PUT", emulator.SettingsPath, settings("https://attacker.example/steal")},
			{"POST", emulator.MessagePath, `{"uid":12345,"text":"hi"}`},
			{"POST", emulator.PressPath, `{"uid":12345,"data":"x"}`},
			{"POST", emulator.UsersPath, `{"name":"Mallory"}`},
			{"POST", emulator.BotClockPath, `{"advance":"1h"}`},
			{"POST", emulator.BotStateResetPath, `{"uid":12345}`},
		} {
			if a := callHost(t, r.method, base+r.path, "", origin, r.body, json); a.Status != http.StatusForbidden || !strings.Contains(a.Body, "Origin") {
				t.Errorf("%s %s with Origin %s: %d %q, want 403 naming the Origin", r.method, r.path, origin, a.Status, a.Body)
			}
		}
	}
	if s := emu.State(); strings.Contains(s.Settings.BotURL, "attacker") || len(s.Users) != 1 || len(s.Chats[12345]) != 0 {
		t.Fatalf("a foreign Origin changed the state: %+v", s)
	}
	// Reading is not state-changing: the browser keeps a foreign page from
	// reading the answer (no CORS headers), and the Host check stops rebinding.
	if a := callHost(t, "GET", base+emulator.StatePath, "", "https://attacker.example", "", nil); a.Status != http.StatusOK {
		t.Errorf("GET with a foreign Origin: %d, want 200", a.Status)
	}
	if a := callHost(t, "GET", base+emulator.StatePath, "", "", "", nil); a.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Error("the emulator sends CORS headers")
	}
	own := (&url.URL{Scheme: "http", Host: host}).String()
	for _, origin := range []string{own, ""} {
		if a := callHost(t, "PUT", base+emulator.SettingsPath, "", origin, settings("http://127.0.0.1:9/webhook"), json); a.Status != http.StatusOK {
			t.Errorf("PUT settings with Origin %q: %d %s, want 200", origin, a.Status, a.Body)
		}
	}
}
