package kitexit

import (
	"go/parser"
	"go/token"
	"maps"
	"path/filepath"
	"slices"
	"testing"
)

// TestSameAsProduction checks that each bench main imports exactly what its
// production main imports, plus benchexit, so that the instructions counted
// are the production path's (a production main that changes its imports,
// e.g. the blank import that registers the Cloud Function, fails this until
// the bench main follows).
func TestSameAsProduction(t *testing.T) {
	const benchexit = "github.com/sociogram-kit/kit/bench/internal/benchexit"
	for bench, prod := range map[string]string{
		"webhook":   "../../adapters/http/cmd/webhook",
		"gcf":       "../../adapters/gcf/cmd/gcf",
		"bootstrap": "../../adapters/lambda/cmd/bootstrap",
	} {
		got, want := imports(t, bench), imports(t, prod)
		if !got[benchexit] {
			t.Errorf("%s does not import benchexit", bench)
		}
		delete(got, benchexit)
		if g, w := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(g, w) {
			t.Errorf("bench/kitexit/%s imports %v; its production main %s imports %v: make them the same", bench, g, prod, w)
		}
	}
}

// imports returns the import paths (with their names: a blank import is
// "_ path") of the main package in dir.
func imports(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s: no Go files (%v)", dir, err)
	}
	out := map[string]bool{}
	for _, f := range files {
		if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		af, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, is := range af.Imports {
			p := is.Path.Value[1 : len(is.Path.Value)-1]
			if is.Name != nil && is.Name.Name == "_" {
				p = "_ " + p
			}
			out[p] = true
		}
	}
	return out
}
