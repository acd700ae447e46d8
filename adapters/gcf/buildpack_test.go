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
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// generatedMain is the main the Go functions buildpack writes for a function
// registered declaratively (functions.HTTP in an init): it blank-imports the
// function's package and starts the framework on PORT.
const generatedMain = `// Binary main file implements an HTTP server that loads and runs user's code
// on incoming HTTP requests.
package main

import (
	"log"
	"net/http"
	"os"

	_ "%s"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
)

func main() {
	http.HandleFunc("/robots.txt", http.NotFound)
	http.HandleFunc("/favicon.ico", http.NotFound)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if err := funcframework.Start(port); err != nil {
		log.Fatalf("Function failed to start: %%v\n", err)
	}
}
`

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

// TestUploadCoversTheFunction: every Go file (and embedded file) of every
// package of this module the root package imports is in the upload.
func TestUploadCoversTheFunction(t *testing.T) {
	upload := uploadFiles(t)
	for _, f := range []string{"go.mod", "go.sum", "function.go"} {
		if !slices.Contains(upload, f) {
			t.Errorf("the upload lacks %s", f)
		}
	}
	for _, f := range upload {
		if strings.HasSuffix(f, "_test.go") || strings.Contains(f, "testdata/") {
			t.Errorf("the upload carries test file %s", f)
		}
	}
	root := testtools.Root()
	mod := goCmd(t, root, "list", "-m")
	list := goCmd(t, root, "list", "-deps", "-f", `{{if not .Standard}}{{.ImportPath}}|{{join .GoFiles ","}}|{{join .EmbedFiles ","}}{{end}}`, ".")
	for _, line := range strings.Split(list, "\n") {
		parts := strings.Split(line, "|")
		if len(parts) != 3 || (parts[0] != mod && !strings.HasPrefix(parts[0], mod+"/")) {
			continue
		}
		dir := strings.TrimPrefix(strings.TrimPrefix(parts[0], mod), "/")
		for _, f := range strings.Split(parts[1]+","+parts[2], ",") {
			if f == "" {
				continue
			}
			if p := filepath.ToSlash(filepath.Join(dir, f)); !slices.Contains(upload, p) {
				t.Errorf("the function needs %s (package %s) but terraform/source.tf does not upload it: add the package to local.source_packages", p, parts[0])
			}
		}
	}
}

// TestBuildpackBuild takes exactly the files the Terraform uploads, builds
// them the way the Cloud Functions Go buildpack does, starts the result with
// FUNCTION_TARGET=Webhook and runs the conformance table against it:
//
//  1. the upload goes into a functions/ folder of an empty application root;
//  2. the root package must not be named after a folder at the upload's root
//     (the buildpack would then import MODULE/NAME), and the module path must
//     contain a dot in its first element;
//  3. a new module at the application root requires the user's module at
//     v0.0.0, replaced by ./functions;
//  4. a generated main blank-imports the root package and calls
//     funcframework.Start(PORT);
//  5. go build with GOFLAGS=-mod=mod.
func TestBuildpackBuild(t *testing.T) {
	upload := uploadFiles(t)
	app := t.TempDir()
	src := filepath.Join(app, "functions")
	for _, f := range upload {
		data, err := os.ReadFile(filepath.Join(testtools.Root(), filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(src, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	pkg := rootPackageName(t, src)
	if st, err := os.Stat(filepath.Join(src, pkg)); err == nil && st.IsDir() {
		t.Fatalf("the root package is named %q like the folder %s/: the buildpack would import that folder instead", pkg, pkg)
	}
	mod := goCmd(t, src, "list", "-m")
	if first, _, _ := strings.Cut(mod, "/"); !strings.Contains(first, ".") {
		t.Fatalf("module path %q: the buildpack needs a dot in its first element", mod)
	}

	goCmd(t, app, "mod", "init", "serverless_function_app")
	goCmd(t, app, "mod", "edit", "-require", mod+"@v0.0.0", "-replace", mod+"@v0.0.0=./functions")
	if err := os.WriteFile(filepath.Join(app, "main.go"), []byte(fmt.Sprintf(generatedMain, mod)), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(app, "bin", "main")
	goCmd(t, app, "build", "-o", bin, ".")

	api := sociogramtest.NewServer(t, conformance.Token)
	port := testtools.FreePort(t)
	env := append(gcfEnv(api.URL, port), "FUNCTION_TARGET="+gcfadapter.EntryPoint, "K_SERVICE=sociogram-bot")
	p := testtools.Start(t, bin, env)
	base := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, base, 20*time.Second)

	conformance.Run(t, api.API, conformance.DeliverHTTP(base))

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

// rootPackageName is the name of the Go package at dir's root.
func rootPackageName(t *testing.T, dir string) string {
	t.Helper()
	return goCmd(t, dir, "list", "-f", "{{.Name}}", ".")
}
