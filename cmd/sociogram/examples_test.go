package main

import (
	"bytes"
	"context"
	"flag"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var updateExamples = flag.Bool("update-examples", false, "rewrite examplefiles/ from the kit's examples/ (go generate does this)")

// TestExampleFiles fails when the embedded copies in examplefiles/ differ
// from the kit's examples/NAME packages; with -update-examples (go
// generate) it rewrites them.
func TestExampleFiles(t *testing.T) {
	for _, name := range exampleNames[1:] {
		for _, f := range []string{name + ".go", name + "_test.go"} {
			kit, err := os.ReadFile(filepath.Join(kitRoot, "examples", name, f))
			if err != nil {
				t.Fatalf("the kit has no examples/%s/%s: %v", name, f, err)
			}
			copyPath := filepath.Join("examplefiles", name, f+".tmpl")
			if *updateExamples {
				if err := os.MkdirAll(filepath.Dir(copyPath), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(copyPath, kit, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			embedded, err := exampleFS.ReadFile("examplefiles/" + name + "/" + f + ".tmpl")
			if err != nil || !bytes.Equal(embedded, kit) {
				t.Errorf("%s differs from the kit's examples/%s/%s (%v): run go generate ./cmd/sociogram", copyPath, name, f, err)
			}
		}
	}
}

// TestProjectFilesForm: -example form makes bot/ the kit's examples/form
// as package bot of the project, gofmt-clean, naming nothing of the kit's
// example package, and the README says what to type.
func TestProjectFilesForm(t *testing.T) {
	files, err := projectFiles(newOptions{module: "example.com/shop", dir: "shop", version: "v0.3.0", example: "form"})
	if err != nil {
		t.Fatal(err)
	}
	kitBot, _ := os.ReadFile(filepath.Join(kitRoot, "examples", "form", "form.go"))
	if want := asBotPackage(string(kitBot), "form", "example.com/shop"); string(files["bot/bot.go"]) != want {
		t.Error("bot/bot.go is not the kit's examples/form/form.go as package bot")
	}
	for name, want := range map[string][]string{
		"bot/bot.go":      {"// Package bot is ", "\npackage bot\n", "func Register(b *handler.Mux)"},
		"bot/bot_test.go": {"package bot_test\n", "\t\"example.com/shop/bot\"\n", "bot.Register(b)"},
		"README.md":       {"Type `/order`"},
	} {
		for _, w := range want {
			if !strings.Contains(string(files[name]), w) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	for name, data := range files {
		if bytes.Contains(data, []byte("examples/form")) || bytes.Contains(data, []byte("package form")) || bytes.Contains(data, []byte("form.Register")) {
			t.Errorf("%s still names the kit's example package", name)
		}
		if strings.HasSuffix(name, ".go") {
			if formatted, err := format.Source(data); err != nil || !bytes.Equal(formatted, data) {
				t.Errorf("%s is not gofmt-clean (%v)", name, err)
			}
		}
	}
	menu := project(t)
	if !strings.Contains(string(menu["README.md"]), "Type `/start` or `hello`") || bytes.Equal(menu["bot/bot.go"], files["bot/bot.go"]) {
		t.Error("the default project is not the menu bot")
	}
}

// TestNewFormExample writes a project with -example form on this
// checkout, as a user would, then vets it and runs its bot's tests: the
// generated form bot builds and passes its own tests.
func TestNewFormExample(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a project and runs go mod tidy, go vet and go test in it (-short)")
	}
	dir := filepath.Join(t.TempDir(), "shop")
	start := time.Now()
	if code, out := runNew(t, "-kit", kitRoot, "-example", "form", "example.com/shop", dir); code != exitOK {
		t.Fatalf("sociogram new: exit %d\n%s", code, out)
	}
	t.Logf("sociogram new -example form (go mod tidy included): %s", time.Since(start).Round(time.Millisecond))
	for _, args := range [][]string{{"vet", "./..."}, {"test", "-count=1", "./bot/"}} {
		start := time.Now()
		cmd := exec.CommandContext(context.Background(), "go", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s in the project: %v\n%s", strings.Join(args, " "), err, out)
		}
		t.Logf("go %s: %s", strings.Join(args, " "), time.Since(start).Round(time.Millisecond))
	}
}
