package gcfadapter_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/gcfsource"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// goCmd runs go in dir the way the buildpack's build does: module mode,
// GOFLAGS=-mod=mod, no workspace, the proxy from the environment.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s (in %s): %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return strings.TrimSpace(string(out))
}

// TestBuildpackBuild builds exactly the files terraform/source.tf uploads
// (the list `sociogram gcf-source` writes) the way the Cloud Functions Go
// buildpack does (gcfsource.Build: the upload in functions/, a module
// serverless_function_app requiring the kit's module replaced by it, the
// generated main, GOFLAGS=-mod=mod), starts the result with
// FUNCTION_TARGET=Webhook and checks what does not depend on the bot:
// the status table, the request's log line with its trace, no token.
func TestBuildpackBuild(t *testing.T) {
	src := writeList(t, testtools.Root())
	upload := uploadFiles(t, testtools.Root())
	if !slices.Equal(upload, src.Files) {
		t.Fatalf("terraform uploads %q\nbut gcf-source lists %q", upload, src.Files)
	}
	src.Files = upload
	bin, err := src.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	base, api, p := startFunction(t, bin)
	conformance.RunStatus(t, api.API, conformance.DeliverHTTP(base))

	h, body := traced("buildpack-exec-1")
	if r := conformance.Send(t, base, conformance.Request{Method: "POST", Header: h, Body: body}); r.Status != 200 {
		t.Fatalf("traced webhook: %d %q", r.Status, r.Body)
	}
	waitFor(t, p, "buildpack-exec-1")
	checkRequestLine(t, jsonLines(p.Output()), "buildpack-exec-1", "bin-proj")
	if strings.Contains(p.Output(), conformance.Token) {
		t.Error("the token appears in the function's output")
	}
}

// TestBuildpackBuildBotModule: a bot in its own module, using the kit through
// a replace to this checkout (what `sociogram new -kit` writes). Its upload
// is refused for deploy (the buildpack cannot see the checkout), and with
// gcfsource.WithLocalReplaces it is listed, uploaded by its terraform/ and
// built with the replace carried into the build, and answers the status
// table.
func TestBuildpackBuildBotModule(t *testing.T) {
	root := filepath.Join(t.TempDir(), "mybot")
	kitSum, err := os.ReadFile(filepath.Join(testtools.Root(), "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	copyFiles(t, testtools.Root(), root, tfPaths(t))
	for name, content := range map[string]string{
		"go.mod": "module example.com/mybot\n\ngo 1.26.0\n\nrequire github.com/sociogram-kit/kit v0.0.0\n\n" +
			"replace github.com/sociogram-kit/kit => " + testtools.Root() + "\n",
		"go.sum": string(kitSum),
		"function.go": "// Package function is mybot's Cloud Functions entry point.\npackage function\n\n" +
			"import (\n\t\"os\"\n\n\tgcfadapter \"github.com/sociogram-kit/kit/adapters/gcf\"\n\n\t\"example.com/mybot/bot\"\n)\n\n" +
			"func init() { gcfadapter.RegisterFunctions(os.Getenv, os.Stderr, bot.Register) }\n",
		"bot/bot.go": "// Package bot is mybot.\npackage bot\n\nimport \"github.com/sociogram-kit/kit/handler\"\n\n" +
			"// Register registers nothing: the status table does not depend on it.\nfunc Register(*handler.Mux) {}\n",
		"cmd/webhook/main.go": "package main\n\nfunc main() {}\n",
	} {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), content)
	}
	goCmd(t, root, "list", "-deps", ".") // completes go.mod's requirements, as go mod tidy would

	if _, err := gcfsource.List(root); err == nil || !strings.Contains(err.Error(), "go.mod replaces github.com/sociogram-kit/kit with the local folder") {
		t.Fatalf("List of a module with a local replace: %v, want it refused", err)
	}
	src := writeList(t, root, gcfsource.WithLocalReplaces())
	want := []string{"bot/bot.go", "function.go", "go.mod", "go.sum"}
	if upload := uploadFiles(t, root); !slices.Equal(upload, want) || !slices.Equal(src.Files, want) {
		t.Fatalf("gcf-source lists %q, terraform uploads %q; want %q", src.Files, upload, want)
	}
	bin, err := src.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	base, api, p := startFunction(t, bin)
	conformance.RunStatus(t, api.API, conformance.DeliverHTTP(base))
	if strings.Contains(p.Output(), conformance.Token) {
		t.Error("the token appears in the function's output")
	}
}

// startFunction starts a built function with FUNCTION_TARGET=Webhook and a
// fake Bot API, and returns its URL.
func startFunction(t *testing.T, bin string) (string, *sociogramtest.Server, *testtools.Proc) {
	t.Helper()
	api := sociogramtest.NewServer(t, conformance.Token)
	port := testtools.FreePort(t)
	env := append(gcfEnv(api.URL, port), "FUNCTION_TARGET="+gcfadapter.EntryPoint, "K_SERVICE=sociogram-bot")
	p := testtools.Start(t, bin, env)
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 20*time.Second)
	return base, api, p
}
