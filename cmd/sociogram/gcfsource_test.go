package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/gcfsource"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestGCFSourceKit: on the kit, gcf-source lists, builds and writes the list,
// saying so step by step.
func TestGCFSourceKit(t *testing.T) {
	out := filepath.Join(t.TempDir(), "list.json")
	var stdout, stderr bytes.Buffer
	if code := gcfSource([]string{"-dir", testtools.Root(), "-out", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	for _, w := range []string{"listing the packages", "packages of github.com/sociogram-kit/kit", "building the upload the way the buildpack does", "it builds", "files, ok: wrote " + out} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, stdout.String())
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var got gcfsource.ListFile
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	want, err := gcfsource.Files(testtools.Root())
	if err != nil || !slices.Equal(got.Files, want) {
		t.Errorf("wrote %q, want %q (%v)", got.Files, want, err)
	}
}

// TestGCFSourceRefuses: a project that cannot deploy exits 1 saying why, and
// a list an earlier run wrote is removed so Terraform cannot upload it; any
// other file at -out is left alone.
func TestGCFSourceRefuses(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/bad\n\ngo 1.26.0\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	stale := &gcfsource.Source{Module: "example.com/bad", Files: []string{"go.mod"}}
	list := filepath.Join(dir, filepath.FromSlash(gcfsource.DefaultOut))
	if err := stale.Write(list); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "notes.json")
	os.WriteFile(other, []byte(`{"files": []}`), 0o644)

	for _, c := range []struct {
		args    []string
		removed string
	}{
		{[]string{"-dir", dir}, list},
		{[]string{"-dir", dir, "-out", "notes.json", "-check=false"}, ""},
	} {
		var stdout, stderr bytes.Buffer
		if code := gcfSource(c.args, &stdout, &stderr); code != exitFailed {
			t.Errorf("%q: exit %d, want %d", c.args, code, exitFailed)
		}
		for _, w := range []string{"the package at the module's root is main", "registers no function"} {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%q: stderr lacks %q:\n%s", c.args, w, stderr.String())
			}
		}
		if c.removed != "" && !strings.Contains(stderr.String(), "removed the previous") {
			t.Errorf("%q: stderr does not say the stale list was removed:\n%s", c.args, stderr.String())
		}
	}
	if _, err := os.Stat(list); !os.IsNotExist(err) {
		t.Error("the stale list is still there")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("a file that is not a list was removed")
	}
}

func TestGCFSourceUsage(t *testing.T) {
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, exitOK, "Usage: sociogram gcf-source"},
		{[]string{"stray"}, exitUsage, `unexpected argument "stray"`},
		{[]string{"-nope"}, exitUsage, "flag provided but not defined"},
		{[]string{"-dir", testtools.Root(), "-out", "", "-check=false"}, exitOK, "files, ok"},
	} {
		var stdout, stderr bytes.Buffer
		if code := gcfSource(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stdout.String()+stderr.String(), c.want) {
			t.Errorf("%q: exit %d, want %d and %q in:\n%s%s", c.args, code, c.code, c.want, stdout.String(), stderr.String())
		}
		if strings.Contains(stdout.String(), "wrote") {
			t.Errorf("%q wrote a list", c.args)
		}
	}
}
