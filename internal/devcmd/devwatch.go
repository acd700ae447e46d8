package devcmd

import (
	"bufio"
	"context"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Polling: how often the module is scanned for saved changes, and how long
// it must stay unchanged before a build starts (an editor's save, a git
// checkout or a formatter writing several files is one change).
const (
	pollEvery   = 300 * time.Millisecond
	settleEvery = 100 * time.Millisecond
	settleMax   = 3 * time.Second
)

// stamp is what a scan records of a file: a save changes one or the other.
type stamp struct {
	mod  time.Time
	size int64
}

// snapshot maps the paths (relative to the module root) of the files a
// build reads to their stamps.
type snapshot map[string]stamp

// watcher finds saved changes to what the bot's build reads by polling
// modification times: no dependency, no file-descriptor limits, the same on
// Linux and macOS. It watches, under the module root: every non-test .go
// file, go.mod, go.sum, go.work, and the files //go:embed directives name.
// It skips hidden and _ directories, testdata, bin, node_modules and nested
// modules, as the go command does (bin is where builds land).
type watcher struct {
	root   string
	embeds map[string]embedCache // by .go file
}

// embedCache holds the //go:embed patterns of a .go file as of its stamp.
type embedCache struct {
	at       stamp
	patterns []string
}

func newWatcher(root string) *watcher {
	return &watcher{root: root, embeds: map[string]embedCache{}}
}

// rootFiles are the module-level files a build reads.
var rootFiles = []string{"go.mod", "go.sum", "go.work", "go.work.sum"}

// scan returns the current snapshot. Files that vanish during the walk are
// left out (a save by rename shows up at the next scan).
func (w *watcher) scan() snapshot {
	snap := snapshot{}
	var patterns []string // slash-relative to the root
	filepath.WalkDir(w.root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(w.root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && skipDir(p, rel, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		name := d.Name()
		isGo := strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
		if !isGo && !(filepath.Dir(rel) == "." && slices.Contains(rootFiles, name)) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		st := stamp{info.ModTime(), info.Size()}
		snap[rel] = st
		if isGo {
			patterns = append(patterns, w.embedPatterns(p, rel, st)...)
		}
		return nil
	})
	for _, pat := range patterns {
		w.addEmbedded(snap, pat)
	}
	return snap
}

// skipDir reports whether the go command ignores the directory (or it holds
// build output or another module).
func skipDir(p, rel, name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules" || rel == "bin" {
		return true
	}
	_, err := os.Stat(filepath.Join(p, "go.mod"))
	return err == nil
}

// embedPatterns returns the //go:embed patterns of the .go file at p, as
// slash paths relative to the root, re-reading the file only when it changed.
func (w *watcher) embedPatterns(p, rel string, st stamp) []string {
	c, ok := w.embeds[rel]
	if !ok || c.at != st {
		c = embedCache{at: st, patterns: readEmbeds(p, filepath.ToSlash(filepath.Dir(rel)))}
		w.embeds[rel] = c
	}
	return c.patterns
}

// readEmbeds reads the //go:embed patterns of a .go file in dir.
func readEmbeds(p, dir string) []string {
	f, err := os.Open(p)
	if err != nil {
		return nil
	}
	defer f.Close()
	var pats []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		args, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "//go:embed")
		if !ok || (args != "" && args[0] != ' ' && args[0] != '\t') {
			continue
		}
		for _, a := range embedArgs(args) {
			a = strings.TrimPrefix(a, "all:")
			pats = append(pats, dir+"/"+a)
		}
	}
	return pats
}

// embedArgs splits a //go:embed line's arguments: space-separated, each
// maybe a Go string literal ("a b" or `a b`).
func embedArgs(s string) []string {
	var out []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '"' || s[0] == '`' {
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return out
			}
			if u, err := strconv.Unquote(s[:end+2]); err == nil {
				out = append(out, u)
			}
			s = s[end+2:]
			continue
		}
		f, rest, _ := strings.Cut(s, " ")
		out = append(out, strings.TrimSpace(f))
		s = rest
	}
	return out
}

// addEmbedded adds the files a //go:embed pattern matches (a directory
// pattern: every file under it).
func (w *watcher) addEmbedded(snap snapshot, pat string) {
	matches, _ := filepath.Glob(filepath.Join(w.root, filepath.FromSlash(pat)))
	for _, m := range matches {
		filepath.WalkDir(m, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			if info, err := d.Info(); err == nil {
				rel, _ := filepath.Rel(w.root, p)
				snap[filepath.ToSlash(rel)] = stamp{info.ModTime(), info.Size()}
			}
			return nil
		})
	}
}

// changed lists the paths whose stamps differ between two snapshots
// (added, removed or modified), sorted.
func changed(a, b snapshot) []string {
	var out []string
	for p, s := range b {
		if t, ok := a[p]; !ok || t != s {
			out = append(out, p)
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// settle rescans until two scans settleEvery apart agree (or settleMax has
// passed) and returns the last, so a burst of saves is built once.
func (w *watcher) settle(ctx context.Context, last snapshot) snapshot {
	deadline := time.Now().Add(settleMax)
	t := time.NewTicker(settleEvery)
	defer t.Stop()
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return last
		case <-t.C:
		}
		s := w.scan()
		if maps.Equal(s, last) {
			return s
		}
		last = s
	}
	return last
}
