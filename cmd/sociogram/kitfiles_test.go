package main

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var updateKitFiles = flag.Bool("update-kitfiles", false, "rewrite kitfiles/ from the kit's root (go generate does this)")

// kitRoot is the kit's root, from this package's folder.
const kitRoot = "../.."

// kitRootFiles returns the kit's deploy files matched by kitFilePatterns,
// by slash-separated path relative to its root.
func kitRootFiles(t *testing.T) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	for _, pat := range kitFilePatterns {
		matches, err := filepath.Glob(filepath.Join(kitRoot, filepath.FromSlash(pat)))
		if err != nil || len(matches) == 0 {
			t.Fatalf("the kit has no %s (%v): update kitFilePatterns", pat, err)
		}
		for _, m := range matches {
			data, err := os.ReadFile(m)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := filepath.Rel(kitRoot, m)
			files[filepath.ToSlash(rel)] = data
		}
	}
	return files
}

// TestKitFiles fails when the embedded copies in kitfiles/ differ from the
// kit's own deploy files; with -update-kitfiles (go generate) it rewrites
// them.
func TestKitFiles(t *testing.T) {
	want := kitRootFiles(t)
	if *updateKitFiles {
		if err := os.RemoveAll("kitfiles"); err != nil {
			t.Fatal(err)
		}
		for name, data := range want {
			p := filepath.Join("kitfiles", filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("wrote %d files into kitfiles/ (rebuild the command to embed them)", len(want))
		return
	}
	got := map[string][]byte{}
	err := fs.WalkDir(kitFiles(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		got[p], err = fs.ReadFile(kitFiles(), p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range want {
		names = append(names, name)
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		g, inCopy := got[name]
		w, inKit := want[name]
		switch {
		case !inCopy:
			t.Errorf("kitfiles/%s is missing: run go generate ./cmd/sociogram", name)
		case !inKit:
			t.Errorf("kitfiles/%s is no longer in the kit: run go generate ./cmd/sociogram", name)
		case !bytes.Equal(g, w):
			t.Errorf("kitfiles/%s differs from the kit's %s: run go generate ./cmd/sociogram", name, name)
		}
	}
}
