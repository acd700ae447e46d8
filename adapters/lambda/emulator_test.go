package lambdaadapter_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// emulator is a built bootstrap running under aws-lambda-rie.
type emulator struct{ fn *testtools.Lambda }

var (
	bootstrapMu    sync.Mutex
	bootstrapBuilt = map[string]string{}
)

// fixtureRule is a make rule building the fixture bot's bootstrap
// (internal/fixture/cmd/bootstrap) with the Makefile's own Lambda build
// command, the one build-WebhookFunction runs on the real main.
const fixtureRule = "--eval=kit-fixture-bootstrap: ; $(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap " + testtools.FixtureBootstrap

// buildBootstrap builds the fixture bot's bootstrap for this machine as sam
// build builds the real one, for the tests that check replies.
func buildBootstrap(t testing.TB) string { return makeBootstrap(t, runtime.GOARCH) }

// makeBootstrap builds the fixture bot's bootstrap for arch.
func makeBootstrap(t testing.TB, arch string) string {
	return makeTarget(t, arch, fixtureRule, "kit-fixture-bootstrap")
}

// buildRealBootstrap builds the kit's own bootstrap (whatever bot/ holds)
// for this machine exactly as sam build does, with the Makefile's
// build-WebhookFunction target: only its deploy proof uses it.
func buildRealBootstrap(t testing.TB) string {
	return makeTarget(t, runtime.GOARCH, "build-WebhookFunction")
}

// buildSender builds the reply queue's sender (no bot in it) for this
// machine as sam build does, with the Makefile's build-SenderFunction target.
func buildSender(t testing.TB) string {
	return makeTarget(t, runtime.GOARCH, "build-SenderFunction")
}

// makeTarget runs make with args (ending with a target writing
// ARTIFACTS_DIR/bootstrap) for arch, once per test binary, and returns the
// bootstrap's path.
func makeTarget(t testing.TB, arch string, args ...string) string {
	t.Helper()
	make := testtools.Require(t, "make")
	bootstrapMu.Lock()
	defer bootstrapMu.Unlock()
	key := strings.Join(args, " ") + "/" + arch
	if p, ok := bootstrapBuilt[key]; ok {
		return p
	}
	dir, err := os.MkdirTemp("", "kit-lambda-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(make, append([]string{"--no-print-directory", "ARTIFACTS_DIR=" + dir, "LAMBDA_ARCH=" + arch}, args...)...)
	cmd.Dir = testtools.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make %s: %v\n%s", args[len(args)-1], err, out)
	}
	bootstrapBuilt[key] = filepath.Join(dir, "bootstrap")
	return bootstrapBuilt[key]
}

// startEmulator runs bootstrap under aws-lambda-rie (testtools.StartLambda:
// under timeout, in its own process group so the test's end stops all
// three) with env.
func startEmulator(t testing.TB, bootstrap string, env ...string) *emulator {
	t.Helper()
	return &emulator{testtools.StartLambda(t, testtools.Require(t, "aws-lambda-rie"), bootstrap, env...)}
}

// invoke sends one event and returns the function's output, one invoke at a
// time.
func (e *emulator) invoke(t testing.TB, event []byte) []byte {
	t.Helper()
	return e.fn.Invoke(t, event)
}

func (e *emulator) output() string { return e.fn.Output() }

func envList(kv map[string]string) []string {
	var env []string
	for k, v := range kv {
		env = append(env, fmt.Sprintf("%s=%s", k, v))
	}
	return env
}
