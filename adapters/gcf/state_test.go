package gcfadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/firestorestore"
)

// TestWebhookState: Webhook (on the fixture bot, which declares state) takes
// its store from the environment. An unusable choice (memory, the file,
// DynamoDB, a collection without a project) answers every webhook 500 and
// logs an ERROR naming the variable; no collection leaves the bot stateless
// with a WARN; the Firestore store is made without a call (the emulator's
// address here has nobody listening; without the emulator, no credentials
// are looked up until a turn uses state), and a webhook that uses no state
// makes none.
func TestWebhookState(t *testing.T) {
	cases := []struct {
		name   string
		env    map[string]string
		status int
		log    []string // substrings of the output, with the level
	}{
		{"firestore", map[string]string{config.EnvStateCollection: "state", config.EnvStateDatabase: "bot-state", gcfadapter.EnvProject: "p",
			firestorestore.EnvEmulatorHost: "127.0.0.1:1"}, 200, nil},
		{"firestore without the emulator", map[string]string{config.EnvStateCollection: "state", gcfadapter.EnvProject: "p"}, 200, nil},
		{"emulator host with a scheme", map[string]string{config.EnvStateCollection: "state", gcfadapter.EnvProject: "p",
			firestorestore.EnvEmulatorHost: "http://127.0.0.1:1"}, 500, []string{`"severity":"ERROR"`, firestorestore.EnvEmulatorHost + `=\"http://127.0.0.1:1\"`, "HOST:PORT"}},
		{"no collection", map[string]string{gcfadapter.EnvProject: "p"}, 200, []string{`"severity":"WARNING"`, config.EnvStateCollection}},
		{"off", map[string]string{config.EnvState: "off", config.EnvStateCollection: "state"}, 200, nil},
		{"memory", map[string]string{config.EnvState: "memory"}, 500, []string{`"severity":"ERROR"`, config.EnvState + "=memory", config.EnvStateCollection}},
		{"file", map[string]string{config.EnvState: "file"}, 500, []string{`"severity":"ERROR"`, config.EnvState + "=file"}},
		{"dynamodb", map[string]string{config.EnvStateTable: "t"}, 500, []string{`"severity":"ERROR"`, config.EnvState + "=dynamodb", "Firestore"}},
		{"no project", map[string]string{config.EnvStateCollection: "state"}, 500, []string{`"severity":"ERROR"`, gcfadapter.EnvProject}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := sociogramtest.NewServer(t, conformance.Token)
			env := map[string]string{config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off"}
			for k, v := range c.env {
				env[k] = v
			}
			var out bytes.Buffer
			h := gcfadapter.WebhookFunction(func(k string) string { return env[k] }, &out, fixture.Register)
			req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(sociogramtest.ChatMessage(12345, "hello")))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-App-Key", conformance.Token)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Errorf("status %d, want %d", rec.Code, c.status)
			}
			for _, s := range c.log {
				if !strings.Contains(out.String(), s) {
					t.Errorf("output lacks %s:\n%s", s, out.String())
				}
			}
		})
	}
}

// TestStateBinary runs bin/gcf of the fixture bot with its state in the
// Firestore emulator, in a named database: /count counts per user, and a
// webhook whose reply failed and is redelivered counts once
// (conformance.RunCount). The document then holds the counter and expires
// one SOCIOGRAM_STATE_TTL after the last write.
func TestStateBinary(t *testing.T) {
	start := time.Now()
	host := testtools.StartFirestore(t)
	t.Logf("Firestore emulator answered after %s", time.Since(start).Round(time.Millisecond))
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, testtools.FixtureGCF)
	port := testtools.FreePort(t)
	const db, coll = "bot-state", "sociogram-state"
	p := testtools.Start(t, bin, append(gcfEnv(api.URL, port), "FIRESTORE_EMULATOR_HOST="+host,
		config.EnvStateCollection+"="+coll, config.EnvStateDatabase+"="+db, config.EnvStateTTL+"=1h"))
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 10*time.Second)
	t.Logf("bin/gcf serving after %s", time.Since(start).Round(time.Millisecond))

	conformance.RunCount(t, api.API, conformance.DeliverHTTP(base))

	store, err := firestorestore.New("bin-proj", db, coll, firestorestore.WithEmulator(host))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Get(context.Background(), "12345")
	if err != nil {
		t.Fatalf("the user's document in database %s, collection %s: %v", db, coll, err)
	}
	if !bytes.Contains(rec.Data, []byte(`"count":{"N":5}`)) {
		t.Errorf("the user's document holds %q, want the counter at 5", rec.Data)
	}
	if d := time.Until(rec.Expires); d < 55*time.Minute || d > time.Hour+time.Minute {
		t.Errorf("the document expires in %s, want about the 1h of %s", d, config.EnvStateTTL)
	}
	waitFor(t, p, `"redelivery":true`)
	if o := p.Output(); !strings.Contains(o, `"redelivery":true`) || strings.Contains(o, conformance.Token) {
		t.Errorf("bin/gcf's log: want a redelivery turn and no token:\n%s", o)
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}
