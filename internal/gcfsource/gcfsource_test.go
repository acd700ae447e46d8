package gcfsource_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/internal/gcfsource"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// registers is a root package that registers the function "Webhook",
// answering with the store's embedded greeting.
const registers = `package function

import (
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"

	"example.com/fn/store"
)

func init() {
	functions.HTTP("Webhook", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(store.Greeting)) })
}
`

// store embeds a file and a folder and imports a package on linux only.
var store = map[string]string{
	"store/store.go": `package store

import "embed"

//go:embed greeting.txt
var Greeting string

//go:embed data
var Data embed.FS
`,
	"store/greeting.txt":     "hello from the store",
	"store/data/a.json":      `{"a": 1}`,
	"store/sys_linux.go":     "package store\n\nimport _ \"example.com/fn/linuxonly\"\n",
	"store/sys_windows.go":   "package store\n",
	"store/store_test.go":    "package store\n",
	"store/testdata/x.txt":   "test data",
	"linuxonly/linuxonly.go": "package linuxonly\n",
	"unused/unused.go":       "package unused\n",
	"cmd/tool/main.go":       "package main\n\nfunc main() {}\n",
	"README.md":              "# fn\n",
}

// module writes a module example.com/fn requiring functions-framework-go
// (go.mod and go.sum complete, so go list needs no network) with files over
// store, and returns its folder. A value "" deletes a file of store.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "fn")
	all := map[string]string{"function.go": registers}
	for k, v := range store {
		all[k] = v
	}
	for k, v := range files {
		all[k] = v
	}
	all["go.mod"], all["go.sum"] = template(t)
	if m, ok := files["go.mod"]; ok {
		all["go.mod"] = m
	}
	for name, content := range all {
		if content == "" {
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

var (
	templateOnce             sync.Once
	templateMod, templateSum string
	templateErr              error
)

// template returns a go.mod of example.com/fn requiring the kit's version of
// functions-framework-go with its indirect requirements, and the kit's
// go.sum (a superset of what it needs), computed once from the module cache.
func template(t *testing.T) (gomod, gosum string) {
	t.Helper()
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gcfsource-template-")
		if err != nil {
			templateErr = err
			return
		}
		defer os.RemoveAll(dir)
		sum, err := os.ReadFile(filepath.Join(testtools.Root(), "go.sum"))
		if err != nil {
			templateErr = err
			return
		}
		ff := run(filepath.Join(testtools.Root()), "list", "-m", "-f", "{{.Version}}", "github.com/GoogleCloudPlatform/functions-framework-go")
		// The kit pins json-iterator above the version functions-framework-go
		// asks for (see go.mod); a bot module gets that pin through the kit.
		ji := run(filepath.Join(testtools.Root()), "list", "-m", "-f", "{{.Version}}", "github.com/json-iterator/go")
		mod := "module example.com/fn\n\ngo 1.26.0\n\nrequire (\n\tgithub.com/GoogleCloudPlatform/functions-framework-go " + ff.out +
			"\n\tgithub.com/json-iterator/go " + ji.out + "\n)\n"
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte(mod), 0o644)
		os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644)
		os.WriteFile(filepath.Join(dir, "f.go"), []byte("package f\n\nimport _ \"github.com/GoogleCloudPlatform/functions-framework-go/functions\"\n"), 0o644)
		if r := run(dir, "list", "-mod=mod", "-deps", "."); r.err != nil {
			templateErr = r.err
			return
		}
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		templateMod, templateSum, templateErr = string(b), string(sum), err
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	return templateMod, templateSum
}

type result struct {
	out string
	err error
}

// run runs go in dir.
func run(dir string, args ...string) result {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		err = fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return result{strings.TrimSpace(string(out)), err}
}

func TestList(t *testing.T) {
	dir := module(t, nil)
	s, err := gcfsource.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"function.go", "go.mod", "go.sum", "linuxonly/linuxonly.go",
		"store/data/a.json", "store/greeting.txt", "store/store.go", "store/sys_linux.go", "store/sys_windows.go",
	}
	if !slices.Equal(s.Files, want) {
		t.Errorf("files:\n got %q\nwant %q", s.Files, want)
	}
	if want := []string{"example.com/fn", "example.com/fn/linuxonly", "example.com/fn/store"}; !slices.Equal(s.Packages, want) {
		t.Errorf("packages = %q, want %q", s.Packages, want)
	}
	if s.Module != "example.com/fn" || s.Package != "function" || s.Dir != dir {
		t.Errorf("module %q, package %q, dir %q", s.Module, s.Package, s.Dir)
	}
	files, err := gcfsource.Files(dir)
	if err != nil || !slices.Equal(files, want) {
		t.Errorf("Files = %q, %v; want List's files", files, err)
	}
}

// TestListRefuses: what would fail only once uploaded is refused, saying
// what to change.
func TestListRefuses(t *testing.T) {
	gomod, _ := template(t)
	lib := filepath.Join(t.TempDir(), "lib")
	os.MkdirAll(lib, 0o755)
	os.WriteFile(filepath.Join(lib, "go.mod"), []byte("module example.com/lib\n\ngo 1.26.0\n"), 0o644)
	os.WriteFile(filepath.Join(lib, "lib.go"), []byte("package lib\n"), 0o644)
	withLib := gomod + "\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => " + lib + "\n"
	importsLib := strings.Replace(registers, `"example.com/fn/store"`, "\"example.com/fn/store\"\n\t_ \"example.com/lib\"", 1)

	for _, c := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"root package main", map[string]string{"function.go": "package main\n\nimport _ \"github.com/GoogleCloudPlatform/functions-framework-go/functions\"\n\nfunc main() {}\n"},
			[]string{"the package at the module's root is main", "package function"}},
		{"root package named like a folder", map[string]string{"function.go": strings.Replace(registers, "package function", "package store", 1)},
			[]string{`named "store" like the folder store/`, "would import example.com/fn/store"}},
		{"no dot in the module path", map[string]string{"go.mod": strings.Replace(gomod, "example.com/fn", "fn", 1),
			"function.go":        strings.Replace(registers, "example.com/fn/store", "fn/store", 1),
			"store/sys_linux.go": "package store\n"},
			[]string{`module path "fn"`, "needs a dot"}},
		{"local replace", map[string]string{"go.mod": withLib, "function.go": importsLib},
			[]string{"go.mod replaces example.com/lib with the local folder " + lib, "cannot see", "go mod edit -dropreplace=example.com/lib"}},
		{"no function registered", map[string]string{"function.go": "package function\n\nimport _ \"example.com/fn/store\"\n"},
			[]string{"registers no function", "gcfadapter.RegisterFunctions"}},
		{"binary embed", map[string]string{"store/greeting.txt": "\x89PNG\r\n\x1a\n\xff\xfe"},
			[]string{"store/greeting.txt is not UTF-8 text", "file()"}},
		{"two problems at once", map[string]string{"go.mod": withLib, "function.go": strings.Replace(importsLib, "package function", "package main", 1)},
			[]string{"is main", "replaces example.com/lib"}},
		{"no go.mod", map[string]string{"go.mod": ""}, []string{"no go.mod in", "the folder with go.mod"}},
		{"no root package", map[string]string{"function.go": ""}, []string{"no Go files"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := module(t, c.files)
			s, err := gcfsource.List(dir)
			if err == nil {
				t.Fatalf("List accepted it: %q", s.Files)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestWithLocalReplaces(t *testing.T) {
	gomod, _ := template(t)
	dir := module(t, map[string]string{
		"go.mod":      gomod + "\nrequire example.com/lib v0.0.0\n\nreplace example.com/lib => ../lib\n",
		"function.go": strings.Replace(strings.Replace(registers, `"example.com/fn/store"`, "\"example.com/fn/store\"\n\t\"example.com/lib\"", 1), "store.Greeting", "store.Greeting + lib.Suffix", 1),
	})
	lib := filepath.Join(filepath.Dir(dir), "lib")
	os.MkdirAll(lib, 0o755)
	os.WriteFile(filepath.Join(lib, "go.mod"), []byte("module example.com/lib\n\ngo 1.26.0\n"), 0o644)
	os.WriteFile(filepath.Join(lib, "lib.go"), []byte("package lib\n\nconst Suffix = \" (lib)\"\n"), 0o644)
	if _, err := gcfsource.List(dir); err == nil {
		t.Fatal("List accepted a local replace without WithLocalReplaces")
	}
	s, err := gcfsource.List(dir, gcfsource.WithLocalReplaces())
	if err != nil {
		t.Fatal(err)
	}
	want := []gcfsource.Replace{{Old: "example.com/lib", Dir: "../lib", Abs: lib}}
	if got := s.LocalReplaces(); !slices.Equal(got, want) {
		t.Errorf("LocalReplaces = %+v, want %+v", got, want)
	}
	bin, err := s.Build(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := serve(t, bin); got != "hello from the store (lib)" {
		t.Errorf("the function answered %q", got)
	}
}

// TestBuild builds the listed files as the buildpack does and serves the
// function: the embedded greeting comes back.
func TestBuild(t *testing.T) {
	dir := module(t, nil)
	s, err := gcfsource.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	app := filepath.Join(t.TempDir(), "app")
	bin, err := s.Build(app)
	if err != nil {
		t.Fatal(err)
	}
	if got := serve(t, bin); got != "hello from the store" {
		t.Errorf("the function answered %q", got)
	}
	for _, f := range []string{"functions/store/greeting.txt", "functions/go.mod", "main.go"} {
		if _, err := os.Stat(filepath.Join(app, filepath.FromSlash(f))); err != nil {
			t.Errorf("the build has no %s", f)
		}
	}
	for _, f := range []string{"functions/unused", "functions/README.md", "functions/store/store_test.go"} {
		if _, err := os.Stat(filepath.Join(app, filepath.FromSlash(f))); err == nil {
			t.Errorf("the build holds %s, which is not uploaded", f)
		}
	}
	gomod, _ := os.ReadFile(filepath.Join(app, "go.mod"))
	for _, w := range []string{"module " + gcfsource.AppModule, "example.com/fn v0.0.0 => ./functions"} {
		if !strings.Contains(string(gomod), w) {
			t.Errorf("the app's go.mod lacks %q:\n%s", w, gomod)
		}
	}

	if _, err := s.Build(app); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("a second build into the same folder: %v, want it refused", err)
	}
}

// TestBuildMissingFile: a file the build needs but the list lacks fails the
// build, as it would fail the deploy.
func TestBuildMissingFile(t *testing.T) {
	for _, missing := range []string{"store/greeting.txt", "linuxonly/linuxonly.go"} {
		t.Run(missing, func(t *testing.T) {
			s, err := gcfsource.List(module(t, nil))
			if err != nil {
				t.Fatal(err)
			}
			s.Files = slices.DeleteFunc(s.Files, func(f string) bool { return f == missing })
			// GOPROXY=off: the missing package is not looked up on the network.
			_, err = s.Build(t.TempDir(), append(gcfsource.Platform, "GOPROXY=off")...)
			if err == nil || !strings.Contains(err.Error(), "does not build the way Cloud Functions builds it") {
				t.Fatalf("build without %s: %v", missing, err)
			}
			if name := strings.TrimSuffix(filepath.Base(missing), ".go"); !strings.Contains(err.Error(), name) {
				t.Errorf("the error does not name %s: %v", name, err)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	dir := module(t, nil)
	if err := gcfsource.Write(dir, gcfsource.DefaultOut); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(gcfsource.DefaultOut)))
	if err != nil {
		t.Fatal(err)
	}
	var got gcfsource.ListFile
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want, _ := gcfsource.Files(dir)
	if got.Module != "example.com/fn" || !slices.Equal(got.Files, want) || !strings.Contains(got.Comment, "gcf-source") {
		t.Errorf("wrote %+v, want the module and %q", got, want)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "terraform", ".build", ".source-files-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %q", left)
	}
	if err := gcfsource.Write(module(t, map[string]string{"function.go": "package main\n"}), "out.json"); err == nil {
		t.Error("Write wrote a list of a source it should refuse")
	}
}

// serve starts the built function and returns its answer to GET /.
func serve(t *testing.T, bin string) string {
	t.Helper()
	port := testtools.FreePort(t)
	testtools.Start(t, bin, []string{fmt.Sprintf("PORT=%d", port), "FUNCTION_TARGET=Webhook"})
	url := fmt.Sprintf("http://127.0.0.1:%d/", port)
	testtools.WaitHTTP(t, url, 20*time.Second)
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}
