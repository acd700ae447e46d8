package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

// runNew runs `sociogram new args...` in process and returns its exit
// status and output.
func runNew(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out bytes.Buffer
	code := run(context.Background(), append([]string{"new"}, args...), noEnv, &out, &out)
	return code, out.String()
}

// TestNewRefuses: every refusal exits before writing anything, with the
// status and a message that says what to do.
func TestNewRefuses(t *testing.T) {
	full := t.TempDir()
	if err := os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	notKit := t.TempDir()
	if err := os.WriteFile(filepath.Join(notKit, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := func() string { return filepath.Join(t.TempDir(), "bot") }
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no arguments", nil, exitUsage, "Usage: sociogram new [-kit PATH] [-example NAME] MODULE [DIR]"},
		{"unknown example", []string{"-example", "shop", "example.com/a", fresh()}, exitUsage, "-example shop: no such example; want one of menu, form"},
		{"too many arguments", []string{"example.com/a", fresh(), "extra"}, exitUsage, "Usage: sociogram new"},
		{"unknown flag", []string{"-force", "example.com/a"}, exitUsage, "flag provided but not defined: -force"},
		{"-kit without a value", []string{"-kit"}, exitUsage, "flag needs an argument: -kit"},
		{"no dot in the first element", []string{"mybot", fresh()}, exitUsage, `bad module path "mybot"`},
		{"bad characters", []string{"example.com/my bot", fresh()}, exitUsage, "give a path like example.com/mybot"},
		{"dot-dot element", []string{"example.com/../x", fresh()}, exitUsage, `bad module path "example.com/../x"`},
		{"the kit's own path", []string{"github.com/sociogram-kit/kit", fresh()}, exitUsage, "is the kit's own"},
		{"a non-empty directory", []string{"-kit", kitRoot, "example.com/a", full}, exitFailed, full + " is not empty: sociogram new writes only into a new or empty directory"},
		{"a file as directory", []string{"-kit", kitRoot, "example.com/a", file}, exitFailed, "is a file, not a directory"},
		{"-kit not a module", []string{"-kit", t.TempDir(), "example.com/a", fresh()}, exitFailed, "no go.mod there"},
		{"-kit another module", []string{"-kit", notKit, "example.com/a", fresh()}, exitFailed, "is not module github.com/sociogram-kit/kit"},
		// The test binary is built from this checkout: version (devel).
		{"no usable version", []string{"example.com/a", fresh()}, exitFailed, "go run github.com/sociogram-kit/kit/cmd/sociogram@VERSION new ..., or give -kit PATH"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out := runNew(t, c.args...)
			if code != c.code || !strings.Contains(out, c.out) {
				t.Errorf("exit %d, want %d; output lacks %q:\n%s", code, c.code, c.out, out)
			}
			if strings.Contains(out, "resolving modules") {
				t.Error("a refused command went on to write the project")
			}
		})
	}
	if entries, _ := os.ReadDir(full); len(entries) != 1 {
		t.Errorf("the non-empty directory now holds %d entries", len(entries))
	}
}

func TestNewHelp(t *testing.T) {
	if code, out := runNew(t, "-h"); code != exitOK || !strings.Contains(out, "-kit PATH") {
		t.Errorf("-h: exit %d, output %q", code, out)
	}
}

func TestDefaultDir(t *testing.T) {
	for mod, want := range map[string]string{
		"example.com/mybot":           "mybot",
		"github.com/you/todo-bot":     "todo-bot",
		"example.com/mybot/v2":        "mybot",
		"gopkg.in/you/bot.v3":         "bot",
		"example.com/bots/support-v2": "support-v2",
	} {
		if got := defaultDir(mod); got != want {
			t.Errorf("defaultDir(%q) = %q, want %q", mod, got, want)
		}
	}
	kit := kitRootAbs(t)
	t.Chdir(t.TempDir())
	o, code := parseNew([]string{"-kit", kit, "example.com/mybot"}, &bytes.Buffer{})
	if code != -1 || o.dir != "mybot" || o.version != zeroVersion {
		t.Errorf("parseNew: %+v, code %d; want DIR mybot", o, code)
	}
}

func kitRootAbs(t *testing.T) string {
	t.Helper()
	abs, err := filepath.Abs(kitRoot)
	if err != nil {
		t.Fatal(err)
	}
	return abs
}

func TestKitVersion(t *testing.T) {
	main := func(v string) *debug.BuildInfo {
		return &debug.BuildInfo{Path: kitModule + "/cmd/sociogram", Main: debug.Module{Path: kitModule, Version: v}}
	}
	asTool := func(v string, replace *debug.Module) *debug.BuildInfo {
		return &debug.BuildInfo{Path: kitModule + "/cmd/sociogram", Main: debug.Module{Path: "example.com/mybot", Version: "(devel)"},
			Deps: []*debug.Module{{Path: "golang.org/x/mod", Version: "v0.42.0"}, {Path: kitModule, Version: v, Replace: replace}}}
	}
	cases := []struct {
		name string
		bi   *debug.BuildInfo
		want string // "" for a refusal
	}{
		{"go run @v0.3.0", main("v0.3.0"), "v0.3.0"},
		{"go run @pseudo-version", main("v0.3.1-0.20261201120000-abcdefabcdef"), "v0.3.1-0.20261201120000-abcdefabcdef"},
		{"go tool sociogram in a project", asTool("v0.4.2", nil), "v0.4.2"},
		{"local build", main("(devel)"), ""},
		{"dirty checkout", main("v0.3.1-0.20261201120000-abcdefabcdef+dirty"), ""},
		{"no version", main(""), ""},
		{"project on a local kit", asTool(zeroVersion, &debug.Module{Path: "/src/kit"}), ""},
		{"zero version", main(zeroVersion), ""},
		{"no build info", nil, ""},
		{"not built with the kit", &debug.BuildInfo{Main: debug.Module{Path: "example.com/x", Version: "v1.0.0"}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := kitVersion(c.bi)
			if got != c.want || (c.want == "") != (err != nil) {
				t.Errorf("kitVersion = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestGoMod(t *testing.T) {
	released := goMod(newOptions{module: "example.com/mybot", version: "v0.3.0"})
	want := "module example.com/mybot\n\ngo 1.26.0\n\nrequire github.com/sociogram-kit/kit v0.3.0\n\ntool (\n" +
		"\tgithub.com/sociogram-kit/kit/cmd/sociogram\n\tgithub.com/sociogram-kit/kit/cmd/emulator\n" +
		"\tgithub.com/sociogram-kit/kit/cmd/trigger\n\tgithub.com/sociogram-kit/kit/cmd/replay-dlq\n)\n"
	if released != want {
		t.Errorf("go.mod:\n%s\nwant:\n%s", released, want)
	}
	local := goMod(newOptions{module: "example.com/mybot", version: zeroVersion, kitPath: "/src/my kit"})
	for _, line := range []string{
		"require github.com/sociogram-kit/kit v0.0.0-00010101000000-000000000000\n",
		"replace github.com/sociogram-kit/kit => \"/src/my kit\"\n",
	} {
		if !strings.Contains(local, line) {
			t.Errorf("go.mod with -kit lacks %q:\n%s", line, local)
		}
	}
}

// project renders a new project in memory.
func project(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := projectFiles(newOptions{module: "example.com/mybot", dir: "mybot", version: "v0.3.0"})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestProjectFiles: the project holds the user's code and deploy files and
// nothing of the kit's own (no placeholder left, no kit path).
func TestProjectFiles(t *testing.T) {
	files := project(t)
	want := []string{
		".gitignore", "Makefile", "README.md", "go.mod", "function.go",
		"bot/bot.go", "bot/bot_test.go", "deploy/deploy_test.go",
		"cmd/webhook/main.go", "cmd/bootstrap/main.go", "cmd/sender/main.go", "cmd/gcf/main.go",
		"template.yaml", "samconfig.toml", "terraform/.gitignore", "terraform/terraform.tfvars.example",
		"terraform/function.tf", "terraform/source.tf", "terraform/variables.tf",
	}
	for _, name := range want {
		if _, ok := files[name]; !ok {
			t.Errorf("the project lacks %s", name)
		}
	}
	for name, data := range files {
		if bytes.Contains(data, []byte("__")) && regexp.MustCompile(`__[A-Z_]+__`).Match(data) {
			t.Errorf("%s keeps a placeholder: %s", name, regexp.MustCompile(`__[A-Z_]+__`).Find(data))
		}
		if strings.HasSuffix(name, ".go") && !strings.Contains(string(data), "\npackage ") && !strings.HasPrefix(string(data), "package ") {
			t.Errorf("%s is not Go", name)
		}
	}
	if !bytes.Contains(files["cmd/gcf/main.go"], []byte(`_ "example.com/mybot"`)) {
		t.Error("cmd/gcf does not blank-import the root package")
	}
}

// TestProjectGo: every Go file is gofmt-clean, imports no internal package
// (of the kit or any other module), and every main is at most 15 lines of
// code (not counting comments, blank lines and imports).
func TestProjectGo(t *testing.T) {
	mains := 0
	for name, data := range project(t) {
		if !strings.HasSuffix(name, ".go") {
			continue
		}
		if formatted, err := format.Source(data); err != nil || !bytes.Equal(formatted, data) {
			t.Errorf("%s is not gofmt-clean (%v)", name, err)
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, name, data, parser.ParseComments)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if p == "internal" || strings.HasPrefix(p, "internal/") || strings.Contains(p, "/internal/") || strings.HasSuffix(p, "/internal") {
				t.Errorf("%s imports %s: a project must need no internal package", name, p)
			}
		}
		if f.Name.Name == "main" {
			mains++
			if n := codeLines(fset, f, data); n > 15 {
				t.Errorf("%s: %d lines of code, want at most 15", name, n)
			}
		}
		if f.Doc == nil && !strings.HasSuffix(name, "_test.go") {
			t.Errorf("%s: no package doc comment", name)
		}
	}
	if mains != 4 {
		t.Errorf("%d mains, want 4 (webhook, bootstrap, sender, gcf)", mains)
	}
	for name, data := range project(t) {
		if bytes.Contains(data, []byte("sociogram-kit/kit/internal")) {
			t.Errorf("%s names a kit-internal package", name)
		}
	}
}

// codeLines counts the lines of f that hold code: not blank, not inside a
// comment, not part of the import declarations.
func codeLines(fset *token.FileSet, f *ast.File, src []byte) int {
	skip := map[int]bool{}
	mark := func(n ast.Node) {
		for l := fset.Position(n.Pos()).Line; l <= fset.Position(n.End()).Line; l++ {
			skip[l] = true
		}
	}
	for _, c := range f.Comments {
		mark(c)
	}
	for _, d := range f.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			mark(g)
		}
	}
	n := 0
	for i, line := range strings.Split(string(src), "\n") {
		if strings.TrimSpace(line) != "" && !skip[i+1] {
			n++
		}
	}
	return n
}

// makeTargets returns the targets a Makefile defines and the bin/ outputs
// its recipes name.
func makeTargets(data []byte) (targets, outputs []string) {
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z][\w-]*):`).FindAllSubmatch(data, -1) {
		targets = append(targets, string(m[1]))
	}
	for _, m := range regexp.MustCompile(`-o \$\(BIN\)/(\S+)`).FindAllSubmatch(data, -1) {
		outputs = append(outputs, "bin/"+string(m[1]))
	}
	slices.Sort(targets)
	slices.Sort(outputs)
	return slices.Compact(targets), slices.Compact(outputs)
}

// TestMakefile: the project's Makefile has the kit's targets and bin/
// outputs for a bot, and pins the same tool versions.
func TestMakefile(t *testing.T) {
	got := project(t)["Makefile"]
	kit, err := os.ReadFile(filepath.Join(kitRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	targets, outputs := makeTargets(got)
	for _, want := range []string{"run", "test", "build", "deploy-aws", "destroy-aws", "logs-aws", "deploy-gcp",
		"destroy-gcp", "logs-gcp", "build-WebhookFunction", "build-SenderFunction", "build-lambda", "lint-template",
		"tools", "tools-lambda", "tools-terraform", "check-fmt", "clean"} {
		if !slices.Contains(targets, want) {
			t.Errorf("the project's Makefile has no target %s", want)
		}
	}
	kitTargets, kitOutputs := makeTargets(kit)
	for _, want := range []string{"run", "test", "build", "deploy-aws", "deploy-gcp", "logs-aws", "logs-gcp", "build-WebhookFunction", "build-SenderFunction", "lint-template"} {
		if !slices.Contains(kitTargets, want) {
			t.Errorf("the kit's Makefile has no target %s", want)
		}
	}
	for _, want := range []string{"bin/webhook", "bin/gcf", "bin/lambda/bootstrap", "bin/lambda/sender/bootstrap", "bin/emulator", "bin/trigger", "bin/replay-dlq"} {
		if !slices.Contains(outputs, want) {
			t.Errorf("the project's make build does not write %s", want)
		}
		if !slices.Contains(kitOutputs, want) {
			t.Errorf("the kit's make build does not write %s", want)
		}
	}
	for _, v := range []struct{ name, value string }{{"RIE_VERSION", rieVersion}, {"TERRAFORM_VERSION", terraformVersion}} {
		m := regexp.MustCompile(`(?m)^` + v.name + `\s*:=\s*(\S+)`).FindSubmatch(kit)
		if m == nil || string(m[1]) != v.value {
			t.Errorf("the kit's Makefile pins %s %q, the generator %q: make them equal", v.name, m, v.value)
		}
	}
}

// TestWriteProject writes a project to disk: the files of projectFiles,
// byte for byte, and the kit's deploy files byte-identical to the kit's.
func TestWriteProject(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "mybot")
	o := newOptions{module: "example.com/mybot", dir: dir, version: zeroVersion, kitPath: kitRootAbs(t)}
	if err := writeProject(o); err != nil {
		t.Fatal(err)
	}
	files, _ := projectFiles(o)
	for name, data := range files {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: written differently (%v)", name, err)
		}
	}
	for _, name := range []string{"template.yaml", "samconfig.toml", "terraform/function.tf", "terraform/.gitignore"} {
		kit, _ := os.ReadFile(filepath.Join(kitRoot, name))
		got, _ := os.ReadFile(filepath.Join(dir, name))
		if !bytes.Equal(got, kit) {
			t.Errorf("%s differs from the kit's", name)
		}
	}
}
