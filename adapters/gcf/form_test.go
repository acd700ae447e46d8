package gcfadapter_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture/fixturebot"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/firestorestore"
)

// TestFormBinary runs the conversation example (examples/form: the
// fixture's bin/gcf with FIXTURE_BOT=form) with its state in the Firestore
// emulator, in a named database: the scripted order through signed buttons,
// a failed reply redelivered at two steps, /cancel (conformance.RunForm).
// The user's document then holds the placed order.
func TestFormBinary(t *testing.T) {
	start := time.Now()
	host := testtools.StartFirestore(t)
	t.Logf("Firestore emulator answered after %s", time.Since(start).Round(time.Millisecond))
	api := sociogramtest.NewServer(t, conformance.Token)
	bin := testtools.Build(t, testtools.FixtureGCF)
	port := testtools.FreePort(t)
	const db, coll = "form-state", "sociogram-state"
	p := testtools.Start(t, bin, append(gcfEnv(api.URL, port), fixturebot.Env+"="+fixturebot.Form,
		"FIRESTORE_EMULATOR_HOST="+host, config.EnvStateCollection+"="+coll, config.EnvStateDatabase+"="+db))
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 10*time.Second)
	t.Logf("bin/gcf serving after %s", time.Since(start).Round(time.Millisecond))

	conformance.RunForm(t, api.API, conformance.DeliverHTTP(base))

	store, err := firestorestore.New("bin-proj", db, coll, firestorestore.WithEmulator(host))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := store.Get(context.Background(), "12345")
	if err != nil {
		t.Fatalf("the user's document in database %s, collection %s: %v", db, coll, err)
	}
	if !bytes.Contains(rec.Data, []byte(conformance.FormStored)) {
		t.Errorf("the user's document holds %q, want the order %s", rec.Data, conformance.FormStored)
	}
	if strings.Contains(p.Output(), conformance.Token) {
		t.Errorf("the token appears in bin/gcf's output:\n%s", p.Output())
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}
