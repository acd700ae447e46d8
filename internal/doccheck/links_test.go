package doccheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/testtools"
)

var (
	fence   = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`") // code blocks and spans
	heading = regexp.MustCompile(`^(#{1,6}) +(.*?)\s*#*\s*$`)
	link    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
	scheme  = regexp.MustCompile(`^[a-z]+:`)
	nonSlug = regexp.MustCompile(`[^\p{L}\p{N}_\- ]`)
)

// slugs returns the anchors GitHub gives the headings of a Markdown file:
// lower case, punctuation dropped, spaces as dashes, repeats numbered.
func slugs(text string) map[string]bool {
	out := map[string]bool{}
	seen := map[string]int{}
	inFence := false
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		m := heading.FindStringSubmatch(line)
		if inFence || m == nil {
			continue
		}
		s := strings.ReplaceAll(nonSlug.ReplaceAllString(strings.ToLower(m[2]), ""), " ", "-")
		if n := seen[s]; n > 0 {
			out[s+"-"+strconv.Itoa(n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// TestLinksResolve: every (#anchor), (FILE) and (FILE#anchor) link of the
// kit's documents points at a file that exists and a heading it has.
func TestLinksResolve(t *testing.T) {
	root := testtools.Root()
	for _, doc := range []string{"README.md", "CONTRIBUTING.md", "SECURITY.md", "BENCHMARKS.md"} {
		text := read(t, filepath.Join(root, doc))
		for _, m := range link.FindAllStringSubmatch(fence.ReplaceAllString(text, ""), -1) {
			target := m[1]
			if scheme.MatchString(target) {
				continue
			}
			file, anchor, _ := strings.Cut(target, "#")
			path := filepath.Join(root, doc)
			if file != "" {
				path = filepath.Join(root, filepath.FromSlash(file))
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: link %s: no file %s", doc, target, file)
				continue
			}
			if anchor != "" && !slugs(read(t, path))[anchor] {
				t.Errorf("%s: link %s: no heading #%s in %s", doc, target, anchor, filepath.Base(path))
			}
		}
	}
}

// TestSlugs pins the slug rules on headings the documents use.
func TestSlugs(t *testing.T) {
	got := slugs("# Quick start\n## State, conversations and signed buttons\n## Logs\n### Logs\n```\n# not a heading\n```\n## Why no reply?\n")
	for _, want := range []string{"quick-start", "state-conversations-and-signed-buttons", "logs", "logs-1", "why-no-reply"} {
		if !got[want] {
			t.Errorf("no slug %q in %v", want, got)
		}
	}
	if got["not-a-heading"] {
		t.Error("a line in a code block was taken for a heading")
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
