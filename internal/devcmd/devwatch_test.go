package devcmd

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// writeFiles writes files (slash paths relative to root) with their contents.
func writeFiles(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestWatcher: what a scan watches, and which edits count as a change.
func TestWatcher(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{
		"go.mod":                      "module example.com/bot\n",
		"go.sum":                      "",
		"README.md":                   "not built",
		"bot/bot.go":                  "package bot\n",
		"bot/bot_test.go":             "package bot\n",
		"bot/testdata/case.go":        "package x\n",
		"bot/_old/old.go":             "package old\n",
		"bot/.hidden/h.go":            "package h\n",
		"bin/tool.go":                 "package main\n",
		"node_modules/x/x.go":         "package x\n",
		"nested/go.mod":               "module example.com/nested\n",
		"nested/n.go":                 "package nested\n",
		"web/page.go":                 "package web\n\nimport \"embed\"\n\n//go:embed static \"a b.txt\" all:tmpl/*.html\nvar files embed.FS\n",
		"web/static/app.js":           "1",
		"web/static/css/style.css":    "2",
		"web/a b.txt":                 "3",
		"web/tmpl/index.html":         "4",
		"web/tmpl/notes.txt":          "not embedded",
		"cmd/webhook/main.go":         "package main\n",
		"cmd/webhook/main_windows.go": "package main\n",
	})
	w := newWatcher(root)
	snap := w.scan()
	var got []string
	for p := range snap {
		got = append(got, p)
	}
	slices.Sort(got)
	want := []string{"bot/bot.go", "cmd/webhook/main.go", "cmd/webhook/main_windows.go", "go.mod", "go.sum",
		"web/a b.txt", "web/page.go", "web/static/app.js", "web/static/css/style.css", "web/tmpl/index.html"}
	if !slices.Equal(got, want) {
		t.Fatalf("watched\n%q\nwant\n%q", got, want)
	}

	later := time.Now().Add(time.Hour)
	cases := []struct {
		name string
		edit func(t *testing.T)
		want []string // changed paths; none for an edit that needs no build
	}{
		{"a saved .go file", func(t *testing.T) { touch(t, root, "bot/bot.go", later) }, []string{"bot/bot.go"}},
		{"a new .go file", func(t *testing.T) { writeFiles(t, root, map[string]string{"bot/more.go": "package bot\n"}) }, []string{"bot/more.go"}},
		{"a removed .go file", func(t *testing.T) { rm(t, root, "bot/more.go") }, []string{"bot/more.go"}},
		{"same time, other size", func(t *testing.T) {
			writeFiles(t, root, map[string]string{"bot/bot.go": "package bot // longer\n"})
			touch(t, root, "bot/bot.go", later)
		}, []string{"bot/bot.go"}},
		{"go.mod", func(t *testing.T) { touch(t, root, "go.mod", later) }, []string{"go.mod"}},
		{"an embedded file", func(t *testing.T) { touch(t, root, "web/static/css/style.css", later) }, []string{"web/static/css/style.css"}},
		{"a new file in an embedded directory", func(t *testing.T) { writeFiles(t, root, map[string]string{"web/static/new.svg": "<svg/>"}) }, []string{"web/static/new.svg"}},
		{"a new embed directive", func(t *testing.T) {
			writeFiles(t, root, map[string]string{"web/more.go": "package web\n\n//go:embed tmpl/notes.txt\nvar notes string\n"})
		}, []string{"web/more.go", "web/tmpl/notes.txt"}},
		{"a test file", func(t *testing.T) { touch(t, root, "bot/bot_test.go", later) }, nil},
		{"testdata", func(t *testing.T) { touch(t, root, "bot/testdata/case.go", later) }, nil},
		{"a README", func(t *testing.T) { touch(t, root, "README.md", later) }, nil},
		{"bin", func(t *testing.T) { writeFiles(t, root, map[string]string{"bin/webhook": "ELF"}) }, nil},
		{"a hidden directory", func(t *testing.T) {
			writeFiles(t, root, map[string]string{".sociogram/state.db": "db", "bot/.hidden/h.go": "package h // 2\n"})
		}, nil},
		{"a nested module", func(t *testing.T) { touch(t, root, "nested/n.go", later) }, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.edit(t)
			next := w.scan()
			if got := changed(snap, next); !slices.Equal(got, c.want) {
				t.Errorf("changed %q, want %q", got, c.want)
			}
			snap = next
		})
	}
}

func touch(t *testing.T, root, name string, at time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(name)), at, at); err != nil {
		t.Fatal(err)
	}
}

func rm(t *testing.T, root, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(root, filepath.FromSlash(name))); err != nil {
		t.Fatal(err)
	}
}

func TestEmbedArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{" web", []string{"web"}},
		{" a.txt  b/*.html", []string{"a.txt", "b/*.html"}},
		{` "with space.txt" ` + "`raw name`" + ` plain`, []string{"with space.txt", "raw name", "plain"}},
		{` all:static`, []string{"all:static"}},
		{` "unterminated`, nil},
	}
	for _, c := range cases {
		if got := embedArgs(c.in); !slices.Equal(got, c.want) {
			t.Errorf("embedArgs(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestSettle: a burst of saves is one change, built once it is over.
func TestSettle(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, root, map[string]string{"go.mod": "module example.com/bot\n", "a.go": "package a\n"})
	w := newWatcher(root)
	first := w.scan()
	writeFiles(t, root, map[string]string{"b.go": "package a\n"})
	s := w.scan()
	if got := changed(first, w.settle(context.Background(), s)); !slices.Equal(got, []string{"b.go"}) {
		t.Errorf("settled on a change of %q, want b.go", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := changed(first, w.settle(ctx, first)); len(got) != 0 {
		t.Errorf("settle after cancel returned a change of %q, want its argument", got)
	}
}
