package main

import (
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// makeMention matches `make TARGET` in any text: flags (-C DIR, -n) and
// VAR=value assignments may come between; the target is the first word
// after them.
var makeMention = regexp.MustCompile(`(?:^|[^\w$./-])make((?:[ \t]+(?:-C[ \t]+\S+|-[A-Za-z-]+|[A-Z][A-Z0-9_]*=\S*))*)[ \t]+([a-z][\w./-]*)`)

// proseAfterMake are words that follow "make" in English, not targets.
var proseAfterMake = []string{"a", "all", "an", "any", "each", "every", "it", "its", "no", "one", "sure", "that", "the", "their", "them", "these", "this", "those", "with", "your"}

// makeMentions returns the make targets text names, with their lines.
func makeMentions(text string) (targets []string, lines []int) {
	for i, line := range strings.Split(text, "\n") {
		for _, m := range makeMention.FindAllStringSubmatch(line, -1) {
			target := strings.TrimRight(m[2], ".-")
			if strings.Contains(target, "/") || slices.Contains(proseAfterMake, target) {
				continue // a file target, or prose
			}
			targets = append(targets, target)
			lines = append(lines, i+1)
		}
	}
	return targets, lines
}

// TestMakeMentionsFound: the detector finds the mentions that matter,
// however they are written, and skips prose.
func TestMakeMentionsFound(t *testing.T) {
	for _, c := range []struct {
		text string
		want []string
	}{
		{"waiting in the dead-letter queue (make replay-dlq-aws).", []string{"replay-dlq-aws"}},
		{"run `make deploy-gcp`, which writes it", []string{"deploy-gcp"}},
		{"#   make deploy-aws | make deploy-gcp", []string{"deploy-aws", "deploy-gcp"}},
		{"`make run PORT=9000 EMULATOR_ADDR=127.0.0.1:9090`", []string{"run"}},
		{"make -C $$proj test; make LAMBDA_ARCH=amd64 build.", []string{"test", "build"}},
		{"make sure it builds; make every call fail; make the function public", nil},
		{"$(MAKE) -C x test; automake foo; cmake bar; make bin/webhook", nil},
	} {
		got, _ := makeMentions(c.text)
		if !slices.Equal(got, c.want) {
			t.Errorf("makeMentions(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// makefileTargets returns the targets a Makefile defines (every name
// before a rule's colon, not variable assignments).
func makefileTargets(mk []byte) []string {
	var out []string
	for _, m := range regexp.MustCompile(`(?m)^([A-Za-z0-9_][^:=#\s]*(?:[ \t]+[A-Za-z0-9_][^:=#\s]*)*)[ \t]*::?(?:[^=]|$)`).FindAllSubmatch(mk, -1) {
		out = append(out, strings.Fields(string(m[1]))...)
	}
	return out
}

// TestMakeMentions: no text names a make target that does not exist. The
// kit's documents, its Makefile and its deploy files name targets of the
// kit's Makefile; every file of a generated project (its README, Makefile,
// code, and the deploy files copied from the kit) names targets of the
// project's Makefile.
func TestMakeMentions(t *testing.T) {
	kitMk, err := os.ReadFile(filepath.Join(kitRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	kit := map[string][]byte{}
	var names []string
	for _, pat := range []string{"*.md", "docs/*.md", "docs/*/*.md", "Makefile", "template.yaml", "samconfig.toml", "terraform/*.tf", "terraform/terraform.tfvars.example"} {
		m, _ := filepath.Glob(filepath.Join(kitRoot, filepath.FromSlash(pat)))
		names = append(names, m...)
	}
	for _, p := range names {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(kitRoot, p)
		kit[filepath.ToSlash(rel)] = data
	}
	for _, must := range []string{"README.md", "template.yaml", "terraform/source.tf"} {
		if kit[must] == nil {
			t.Fatalf("the kit has no %s", must)
		}
	}
	checkMentions(t, "the kit's Makefile", kit, makefileTargets(kitMk))

	proj := project(t)
	text := map[string][]byte{}
	for name, data := range proj {
		if !strings.HasSuffix(name, ".sum") {
			text[name] = data
		}
	}
	checkMentions(t, "the project's Makefile", text, makefileTargets(proj["Makefile"]))
}

func checkMentions(t *testing.T, which string, files map[string][]byte, targets []string) {
	t.Helper()
	if !slices.Contains(targets, "build") || !slices.Contains(targets, "build-WebhookFunction") {
		t.Fatalf("%s: targets %q: the target parser is wrong", which, targets)
	}
	n := 0
	for name, data := range files {
		mentions, lines := makeMentions(string(data))
		n += len(mentions)
		for i, m := range mentions {
			if !slices.Contains(targets, m) {
				t.Errorf("%s:%d names `make %s`, which %s does not define", name, lines[i], m, which)
			}
		}
	}
	if n == 0 {
		t.Errorf("no make target named in %d files: the detector is broken", len(files))
	}
}

// lambdaFunctions returns the logical ids of template's functions that sam
// builds with the Makefile (BuildMethod: makefile), whose targets are
// build-<id>.
func lambdaFunctions(t *testing.T, template []byte) []string {
	t.Helper()
	var doc struct {
		Resources map[string]struct {
			Type     string `yaml:"Type"`
			Metadata struct {
				BuildMethod string `yaml:"BuildMethod"`
			} `yaml:"Metadata"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(template, &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for id, r := range doc.Resources {
		if r.Type == "AWS::Serverless::Function" && r.Metadata.BuildMethod == "makefile" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	if len(ids) < 2 {
		t.Fatalf("template.yaml: makefile-built functions %q, want the webhook and the sender", ids)
	}
	return ids
}

// makefiles returns the kit's Makefile and a generated project's, by name.
func makefiles(t *testing.T) map[string][]byte {
	t.Helper()
	kit, err := os.ReadFile(filepath.Join(kitRoot, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string][]byte{"kit": kit, "project": project(t)["Makefile"]}
}

// makeIn writes the Makefile and template into a new directory and returns
// a function running make there.
func makeIn(t *testing.T, mk, template []byte) (dir string, run func(args ...string) (string, error)) {
	t.Helper()
	makeBin := testtools.Require(t, "make")
	dir = t.TempDir()
	for name, data := range map[string][]byte{"Makefile": mk, "template.yaml": template} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, func(args ...string) (string, error) {
		cmd := exec.Command(makeBin, append([]string{"--no-print-directory"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOTOOLCHAIN=local")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
}

// TestBuildTargetsNeedArtifactsDir: the target sam build runs for each
// function of template.yaml exists in both Makefiles and, without
// ARTIFACTS_DIR, refuses with a message naming it instead of building into
// /bootstrap. (GO=false: were the guard missing, the build command would
// show up in the output, and fail harmlessly.)
func TestBuildTargetsNeedArtifactsDir(t *testing.T) {
	template, err := os.ReadFile(filepath.Join(kitRoot, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for which, mk := range makefiles(t) {
		_, run := makeIn(t, mk, template)
		for _, fn := range lambdaFunctions(t, template) {
			target := "build-" + fn
			if !slices.Contains(makefileTargets(mk), target) {
				t.Errorf("%s Makefile: no target %s, which sam build runs for %s", which, target, fn)
				continue
			}
			out, err := run(target, "ARTIFACTS_DIR=", "GO=false")
			if err == nil || !strings.Contains(out, target+": ARTIFACTS_DIR is not set") || strings.Contains(out, "build -tags") {
				t.Errorf("%s Makefile: make %s without ARTIFACTS_DIR: %v\n%s", which, target, err, out)
			}
			out, err = run("-n", target, "ARTIFACTS_DIR=/tmp/artifacts")
			if err != nil || !strings.Contains(out, "-o /tmp/artifacts/bootstrap ") {
				t.Errorf("%s Makefile: make -n %s ARTIFACTS_DIR=/tmp/artifacts: %v\n%s", which, target, err, out)
			}
		}
	}
}

// TestLambdaArchFromTemplate: the functions' architecture is set in one
// place, template.yaml's Globals, and the Makefiles' Lambda builds follow
// it: with the template switched to x86_64 (or arm64) in a copy, sam's
// targets and build-lambda build for that machine, as the binary's ELF
// header shows; a template setting it twice is refused.
func TestLambdaArchFromTemplate(t *testing.T) {
	template, err := os.ReadFile(filepath.Join(kitRoot, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	const line = "    Architectures: [arm64]\n"
	if strings.Count(string(template), "Architectures:") != 1 || !strings.Contains(string(template), "Globals:\n  Function:\n") || !strings.Contains(string(template), line) {
		t.Fatalf("template.yaml must set Architectures once, in Globals: Function:, as %q", line)
	}
	for which, mk := range makefiles(t) {
		for _, c := range []struct {
			arch, goarch string
			machine      elf.Machine
		}{{"arm64", "arm64", elf.EM_AARCH64}, {"x86_64", "amd64", elf.EM_X86_64}} {
			t.Run(which+"/"+c.arch, func(t *testing.T) {
				tmpl := strings.Replace(string(template), line, "    Architectures: ["+c.arch+"]\n", 1)
				dir, run := makeIn(t, mk, []byte(tmpl))
				for _, fn := range lambdaFunctions(t, template) {
					out, err := run("-n", "build-"+fn, "ARTIFACTS_DIR=/tmp/artifacts")
					if err != nil || !strings.Contains(out, " GOARCH="+c.goarch+" ") {
						t.Errorf("make -n build-%s with Architectures [%s]: want GOARCH=%s: %v\n%s", fn, c.arch, c.goarch, err, out)
					}
				}
				if out, err := run("-n", "build-lambda"); err != nil || strings.Count(out, " GOARCH="+c.goarch+" ") != 2 {
					t.Errorf("make -n build-lambda with Architectures [%s]: want GOARCH=%s twice: %v\n%s", c.arch, c.goarch, err, out)
				}
				// The build command itself, on a tiny program.
				writeFiles(t, dir, map[string]string{
					"go.mod":        "module probe\n\ngo 1.26.0\n",
					"probe/main.go": "package main\n\nfunc main() {}\n",
				})
				if out, err := run("--eval=arch-probe: ; $(LAMBDA_BUILD) -o $(ARTIFACTS_DIR)/bootstrap ./probe", "arch-probe", "ARTIFACTS_DIR="+dir); err != nil {
					t.Fatalf("building with the Makefile's LAMBDA_BUILD: %v\n%s", err, out)
				}
				f, err := elf.Open(filepath.Join(dir, "bootstrap"))
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				if f.Machine != c.machine {
					t.Errorf("Architectures [%s] built a %v binary, want %v", c.arch, f.Machine, c.machine)
				}
			})
		}
		t.Run(which+"/twice", func(t *testing.T) {
			tmpl := strings.Replace(string(template), "      Handler: bootstrap\n", "      Handler: bootstrap\n      Architectures: [x86_64]\n", 1)
			_, run := makeIn(t, mk, []byte(tmpl))
			out, err := run("-n", "build-WebhookFunction", "ARTIFACTS_DIR=/tmp/artifacts")
			if err == nil || !strings.Contains(out, "set once in template.yaml") {
				t.Errorf("a template with two Architectures: want a refusal, got %v\n%s", err, out)
			}
		})
	}
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
