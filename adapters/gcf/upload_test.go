package gcfadapter_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// tfFiles parses terraform/*.tf.
func tfFiles(t *testing.T) (map[string][]byte, []*hclsyntax.Body) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(testtools.Root(), "terraform", "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no terraform/*.tf: %v", err)
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

// uploadFiles evaluates the Terraform's local.source_files, the list of
// files the archive uploads, with Terraform's own semantics for the
// functions it uses (fileset, setunion, flatten, endswith), and returns the
// paths relative to the module root, sorted.
func uploadFiles(t *testing.T) []string {
	t.Helper()
	_, bodies := tfFiles(t)
	exprs := map[string]hcl.Expression{}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			if b.Type == "locals" {
				for name, a := range b.Body.Attributes {
					exprs[name] = a.Expr
				}
			}
		}
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{
			"path": cty.ObjectVal(map[string]cty.Value{"module": cty.StringVal(filepath.Join(testtools.Root(), "terraform"))}),
		},
		Functions: map[string]function.Function{
			"fileset": filesetFunc, "endswith": endswithFunc,
			"setunion": stdlib.SetUnionFunc, "flatten": stdlib.FlattenFunc,
		},
	}
	// Evaluate local.source_files and the locals it refers to.
	locals := map[string]cty.Value{}
	var eval func(name string, depth int)
	eval = func(name string, depth int) {
		e, ok := exprs[name]
		if _, done := locals[name]; done || !ok || depth > 10 {
			return
		}
		for _, tr := range e.Variables() {
			switch tr.RootName() {
			case "path":
			case "local":
				if attr, ok := tr[1].(hcl.TraverseAttr); ok {
					eval(attr.Name, depth+1)
				}
			default:
				t.Fatalf("local.%s refers to %s: the upload must depend only on files", name, tr.RootName())
			}
		}
		ctx.Variables["local"] = cty.ObjectVal(locals)
		v, diags := e.Value(ctx)
		if diags.HasErrors() {
			t.Fatalf("local.%s: %s", name, diags.Error())
		}
		locals[name] = v
	}
	eval("source_files", 0)
	v, ok := locals["source_files"]
	if !ok || v.IsNull() || !v.CanIterateElements() {
		t.Fatalf("terraform: local.source_files is missing or not a collection (have %v)", locals)
	}
	var files []string
	for it := v.ElementIterator(); it.Next(); {
		_, f := it.Element()
		files = append(files, f.AsString())
	}
	sort.Strings(files)
	return files
}

// filesetFunc is Terraform's fileset(path, pattern): the regular files under
// path matching pattern, relative to path, with / separators. Patterns may
// use *, ?, [class] and {a,b}; ** is not needed by the .tf and not emulated,
// so it fails loudly rather than differ from Terraform.
var filesetFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "path", Type: cty.String}, {Name: "pattern", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Set(cty.String)),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		root, pattern := args[0].AsString(), args[1].AsString()
		if strings.Contains(pattern, "**") {
			return cty.NilVal, fmt.Errorf("fileset: ** is not emulated by this test")
		}
		var out []cty.Value
		for _, p := range expandBraces(pattern) {
			matches, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(p)))
			if err != nil {
				return cty.NilVal, err
			}
			for _, m := range matches {
				if st, err := os.Stat(m); err != nil || !st.Mode().IsRegular() {
					continue
				}
				rel, _ := filepath.Rel(root, m)
				out = append(out, cty.StringVal(filepath.ToSlash(rel)))
			}
		}
		if len(out) == 0 {
			return cty.SetValEmpty(cty.String), nil
		}
		return cty.SetVal(out), nil
	},
})

// expandBraces expands the first {a,b} group of p, recursively.
func expandBraces(p string) []string {
	i := strings.Index(p, "{")
	j := strings.Index(p, "}")
	if i < 0 || j < i {
		return []string{p}
	}
	var out []string
	for _, alt := range strings.Split(p[i+1:j], ",") {
		out = append(out, expandBraces(p[:i]+alt+p[j+1:])...)
	}
	return out
}

// endswithFunc is Terraform's endswith(string, suffix).
var endswithFunc = function.New(&function.Spec{
	Params: []function.Parameter{{Name: "str", Type: cty.String}, {Name: "suffix", Type: cty.String}},
	Type:   function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.BoolVal(strings.HasSuffix(args[0].AsString(), args[1].AsString())), nil
	},
})
