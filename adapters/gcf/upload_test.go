package gcfadapter_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/sociogram-kit/kit/internal/gcfsource"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// tfFiles parses the kit's terraform/*.tf.
func tfFiles(t *testing.T) (map[string][]byte, []*hclsyntax.Body) {
	t.Helper()
	return tfFilesIn(t, testtools.Root())
}

// tfFilesIn parses root/terraform/*.tf.
func tfFilesIn(t *testing.T, root string) (map[string][]byte, []*hclsyntax.Body) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "terraform", "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no terraform/*.tf in %s: %v", root, err)
	}
	srcs := map[string][]byte{}
	var bodies []*hclsyntax.Body
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := "terraform/" + filepath.Base(p)
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			t.Fatal(diags.Error())
		}
		srcs[name] = src
		bodies = append(bodies, f.Body.(*hclsyntax.Body))
	}
	return srcs, bodies
}

// tfEval evaluates Terraform expressions of the module root/terraform the
// way Terraform does, for the functions the upload uses.
type tfEval struct {
	t      *testing.T
	exprs  map[string]hcl.Expression // the locals
	locals map[string]cty.Value
	ctx    *hcl.EvalContext
}

func newTFEval(t *testing.T, root string) *tfEval {
	t.Helper()
	_, bodies := tfFilesIn(t, root)
	e := &tfEval{t: t, exprs: map[string]hcl.Expression{}, locals: map[string]cty.Value{}}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			if b.Type == "locals" {
				for name, a := range b.Body.Attributes {
					e.exprs[name] = a.Expr
				}
			}
		}
	}
	e.ctx = &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(filepath.Join(root, "terraform"))}),
		},
		Functions: map[string]function.Function{
			"file": fileFunc, "fileexists": fileExistsFunc, "jsondecode": stdlib.JSONDecodeFunc,
		},
	}
	return e
}

// value evaluates x after the locals it refers to. The upload must depend
// only on files: a reference to anything but path and local fails.
func (e *tfEval) value(what string, x hcl.Expression) (cty.Value, hcl.Diagnostics) {
	e.t.Helper()
	for _, tr := range x.Variables() {
		switch tr.RootName() {
		case "path":
		case "local":
			if attr, ok := tr[1].(hcl.TraverseAttr); ok {
				e.local(attr.Name)
			}
		default:
			e.t.Fatalf("%s refers to %s: the upload must depend only on files", what, tr.RootName())
		}
	}
	e.ctx.Variables["local"] = cty.ObjectVal(e.locals)
	return x.Value(e.ctx)
}

// local evaluates local.name (once).
func (e *tfEval) local(name string) cty.Value {
	e.t.Helper()
	if v, ok := e.locals[name]; ok {
		return v
	}
	x, ok := e.exprs[name]
	if !ok {
		e.t.Fatalf("terraform: no local.%s", name)
	}
	v, diags := e.value("local."+name, x)
	if diags.HasErrors() {
		e.t.Fatalf("local.%s: %s", name, diags.Error())
	}
	e.locals[name] = v
	return v
}

// uploadFiles evaluates the Terraform's local.source_files of the module at
// root, the list of files the archive uploads, and returns the paths
// relative to root, sorted.
func uploadFiles(t *testing.T, root string) []string {
	t.Helper()
	v := newTFEval(t, root).local("source_files")
	if v.IsNull() || !v.CanIterateElements() {
		t.Fatalf("terraform: local.source_files is not a collection (%#v)", v)
	}
	var files []string
	for it := v.ElementIterator(); it.Next(); {
		_, f := it.Element()
		if f.Type() != cty.String {
			t.Fatalf("terraform: local.source_files holds a %s", f.Type().FriendlyName())
		}
		files = append(files, f.AsString())
	}
	sort.Strings(files)
	return files
}

// writeList writes the upload list of the module at root where
// terraform/source.tf reads it, as `make deploy-gcp` does, and returns the
// source.
func writeList(t *testing.T, root string, opts ...gcfsource.Option) *gcfsource.Source {
	t.Helper()
	src, err := gcfsource.List(root, opts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Write(filepath.Join(root, filepath.FromSlash(gcfsource.DefaultOut))); err != nil {
		t.Fatal(err)
	}
	return src
}

// TestUploadIsTheList: terraform/source.tf uploads exactly the files
// `sociogram gcf-source` lists for the kit, and they are what the function
// needs: go.mod, go.sum, function.go, no test file, every Go and embedded
// file of every package of the module the root package imports (checked
// here with go list's template output, independently of gcfsource).
func TestUploadIsTheList(t *testing.T) {
	root := testtools.Root()
	src := writeList(t, root)
	upload := uploadFiles(t, root)
	if !slices.Equal(upload, src.Files) {
		t.Fatalf("terraform uploads %q\nbut gcf-source lists %q", upload, src.Files)
	}
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
				t.Errorf("the function needs %s (package %s) but the upload lacks it", p, parts[0])
			}
		}
	}
}

// TestUploadWithoutList: without the list, local.source_files is empty and
// the archive's precondition fails, telling the user to run make deploy-gcp.
func TestUploadWithoutList(t *testing.T) {
	root := t.TempDir()
	copyFiles(t, testtools.Root(), root, tfPaths(t))
	e := newTFEval(t, root)
	if v := e.local("source_files"); v.LengthInt() != 0 {
		t.Errorf("without the list, local.source_files = %#v, want empty", v)
	}
	_, bodies := tfFilesIn(t, root)
	arch := find(t, bodies, "data", "archive_file", "source")
	var pre *hclsyntax.Body
	if lc := block(arch, "lifecycle"); lc != nil {
		pre = block(lc, "precondition")
	}
	if pre == nil {
		t.Fatal("archive_file has no lifecycle precondition on the list")
	}
	cond, diags := e.value("the precondition", pre.Attributes["condition"].Expr)
	if diags.HasErrors() || cond.True() {
		t.Errorf("precondition = %#v (%v), want false without the list", cond, diags)
	}
	msg, diags := e.value("the error message", pre.Attributes["error_message"].Expr)
	if diags.HasErrors() || !strings.Contains(msg.AsString(), "make deploy-gcp") || !strings.Contains(msg.AsString(), "sociogram gcf-source") {
		t.Errorf("error_message = %#v: it must say to run make deploy-gcp (sociogram gcf-source)", msg)
	}

	writeListFile(t, root, []string{"go.mod"})
	if cond, _ := newTFEval(t, root).value("the precondition", pre.Attributes["condition"].Expr); !cond.True() {
		t.Error("the precondition fails with the list present")
	}
}

// TestUploadFollowsTheBot: a bot that adds a package with embedded files
// (bot/store) deploys without an edit of terraform/ or the Makefile: the
// list holds the package and its files, terraform uploads them, and they
// build the buildpack's way. The module is a copy of the kit's upload.
func TestUploadFollowsTheBot(t *testing.T) {
	kit := writeList(t, testtools.Root())
	root := t.TempDir()
	copyFiles(t, testtools.Root(), root, append(kit.Files, tfPaths(t)...))
	botPkg := goCmd(t, testtools.Root(), "list", "-f", "{{.Name}}", "./bot")
	for name, content := range map[string]string{
		"bot/store/store.go": "// Package store keeps the bot's greetings.\npackage store\n\nimport \"embed\"\n\n" +
			"//go:embed greeting.txt\nvar Greeting string\n\n//go:embed templates\nvar Templates embed.FS\n",
		"bot/store/greeting.txt":       "Welcome back!\n",
		"bot/store/templates/menu.txt": "1. Start\n",
		"bot/store/store_test.go":      "package store\n",
		"bot/uses_store.go":            "package " + botPkg + "\n\nimport _ \"" + kit.Module + "/bot/store\"\n",
	} {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), content)
	}
	src := writeList(t, root)
	for _, f := range []string{"bot/store/store.go", "bot/store/greeting.txt", "bot/store/templates/menu.txt", "bot/uses_store.go"} {
		if !slices.Contains(src.Files, f) {
			t.Errorf("the list lacks %s", f)
		}
	}
	if slices.Contains(src.Files, "bot/store/store_test.go") {
		t.Error("the list holds a test file")
	}
	upload := uploadFiles(t, root)
	if !slices.Equal(upload, src.Files) {
		t.Fatalf("terraform uploads %q\nbut gcf-source lists %q", upload, src.Files)
	}
	src.Files = upload
	if _, err := src.Build(t.TempDir(), gcfsource.Platform...); err != nil {
		t.Fatal(err)
	}
}

// TestUploadRefused: a root package named main cannot deploy (the buildpack
// generates its own main), and List says so before terraform runs.
func TestUploadRefused(t *testing.T) {
	kit, err := gcfsource.List(testtools.Root())
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	copyFiles(t, testtools.Root(), root, kit.Files)
	fn, _ := os.ReadFile(filepath.Join(root, "function.go"))
	writeFile(t, filepath.Join(root, "function.go"), strings.Replace(string(fn), "package function", "package main", 1)+"\nfunc main() {}\n")
	if _, err := gcfsource.List(root); err == nil || !strings.Contains(err.Error(), "root is main") {
		t.Errorf("List of a root package main: %v, want it refused", err)
	}
}

// tfPaths returns the kit's terraform/*.tf, relative to its root.
func tfPaths(t *testing.T) []string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(testtools.Root(), "terraform", "*.tf"))
	var rel []string
	for _, p := range paths {
		rel = append(rel, "terraform/"+filepath.Base(p))
	}
	return rel
}

// copyFiles copies files (slash-separated, relative) from one root to another.
func copyFiles(t *testing.T, from, to string, files []string) {
	t.Helper()
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(from, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(to, filepath.FromSlash(f)), string(data))
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeListFile writes a list of files where terraform/source.tf reads it.
func writeListFile(t *testing.T, root string, files []string) {
	t.Helper()
	writeFile(t, filepath.Join(root, filepath.FromSlash(gcfsource.DefaultOut)), fmt.Sprintf(`{"files": ["%s"]}`, strings.Join(files, `", "`)))
}

// fileFunc is Terraform's file(path): the file's contents as a string; it
// fails on a missing file and on contents that are not UTF-8.
var fileFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}},
	Type:   function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p := args[0].AsString()
		data, err := os.ReadFile(p)
		if os.IsNotExist(err) {
			return cty.NilVal, function.NewArgErrorf(0, "no file exists at %s", p)
		} else if err != nil {
			return cty.NilVal, function.NewArgError(0, err)
		}
		if !utf8.Valid(data) {
			return cty.NilVal, function.NewArgErrorf(0, "contents of %s are not valid UTF-8; use the filebase64 function", p)
		}
		return cty.StringVal(string(data)), nil
	},
})

// fileExistsFunc is Terraform's fileexists(path): true for a regular file,
// false when nothing exists at path, an error for a directory or another
// kind of file.
var fileExistsFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		p := args[0].AsString()
		st, err := os.Stat(p)
		if os.IsNotExist(err) {
			return cty.False, nil
		} else if err != nil {
			return cty.UnknownVal(cty.Bool), fmt.Errorf("failed to stat %s", p)
		}
		if st.Mode().IsRegular() {
			return cty.True, nil
		}
		return cty.False, function.NewArgErrorf(0, "%s is not a regular file", p)
	},
})
