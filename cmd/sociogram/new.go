package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// kitModule is the kit's module path.
const kitModule = "github.com/sociogram-kit/kit"

// zeroVersion is the version a project requires the kit at when a replace
// directive points at a local checkout (-kit).
const zeroVersion = "v0.0.0-00010101000000-000000000000"

// goVersion is the go line of a new project: the Cloud Functions runtime
// (go126) builds with its own Go, so not newer than it, and not the local
// patch release either (DESIGN.md, "Cloud Functions deploy contract").
const goVersion = "1.26.0"

// kitTools are the kit's commands a project records as tool directives, so
// `go tool NAME` runs the one of the kit version it requires.
var kitTools = []string{"cmd/sociogram", "cmd/emulator", "cmd/trigger", "cmd/replay-dlq"}

// newOptions is a parsed `sociogram new` command line.
type newOptions struct {
	module  string
	dir     string
	kitPath string // absolute; "" to require the kit at version
	version string // the kit version to require
	example string // the starting bot (exampleNames); "" for the default
}

func newUsage(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage: sociogram new [-kit PATH] [-example NAME] MODULE [DIR]")
	fmt.Fprintln(w, "Writes a new bot project for module MODULE (e.g. example.com/mybot) into DIR")
	fmt.Fprintln(w, "(default: MODULE's last element), which must be new or empty.")
	fs.PrintDefaults()
}

// newCmd is `sociogram new`.
func newCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, code := parseNew(args, stderr)
	if code >= 0 {
		return code
	}
	start := time.Now()
	kit := o.version
	if o.kitPath != "" {
		kit = o.kitPath
	}
	fmt.Fprintf(stdout, "writing %s (module %s, kit %s)\n", o.dir, o.module, kit)
	if err := writeProject(o); err != nil {
		fmt.Fprintf(stderr, "sociogram new: %v\n", err)
		return exitFailed
	}
	fmt.Fprintln(stdout, "resolving modules (go mod tidy)...")
	if err := goModTidy(ctx, o.dir, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "sociogram new: %v\nThe project is written; fix the cause, then run go mod tidy in %s.\n", err, o.dir)
		return exitFailed
	}
	fmt.Fprintf(stdout, "done in %s. Next:\n\n", time.Since(start).Round(100*time.Millisecond))
	fmt.Fprintf(stdout, "  cd %s\n", o.dir)
	fmt.Fprintln(stdout, "  make run     # your bot and a local chat page: open the URL it prints")
	fmt.Fprintln(stdout, "  make test    # its tests and the deploy checks")
	fmt.Fprintln(stdout, "\nEdit bot/bot.go; README.md says the rest.")
	return exitOK
}

// parseNew reads the command line; code is the exit status when the command
// must stop (usage, help, a refusal), -1 to go on.
func parseNew(args []string, stderr io.Writer) (o newOptions, code int) {
	fs := flag.NewFlagSet("sociogram new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kitPath := fs.String("kit", "", "use the kit checkout at `PATH` through a replace directive instead of a released version")
	example := fs.String("example", defaultExample, "start from the example bot `NAME`: menu (the platform docs' example and a /start menu) or form (an order form: per-user state, a conversation, signed buttons)")
	fs.Usage = func() { newUsage(stderr, fs) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, exitOK
		}
		return o, exitUsage
	}
	fail := func(code int, format string, a ...any) (newOptions, int) {
		fmt.Fprintf(stderr, "sociogram new: "+format+"\n", a...)
		return o, code
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		newUsage(stderr, fs)
		return o, exitUsage
	}
	if !slices.Contains(exampleNames, *example) {
		return fail(exitUsage, "-example %s: no such example; want one of %s", *example, strings.Join(exampleNames, ", "))
	}
	o.example = *example
	o.module = fs.Arg(0)
	if err := checkModulePath(o.module); err != nil {
		return fail(exitUsage, "%v", err)
	}
	o.dir = defaultDir(o.module)
	if fs.NArg() == 2 {
		o.dir = fs.Arg(1)
	}
	if err := checkEmptyDir(o.dir); err != nil {
		return fail(exitFailed, "%v", err)
	}
	if *kitPath != "" {
		abs, err := checkKitPath(*kitPath)
		if err != nil {
			return fail(exitFailed, "%v", err)
		}
		o.kitPath, o.version = abs, zeroVersion
		return o, -1
	}
	bi, _ := debug.ReadBuildInfo()
	v, err := kitVersion(bi)
	if err != nil {
		return fail(exitFailed, "%v: run a released version, go run %s/cmd/sociogram@VERSION new ..., or give -kit PATH to use a local checkout of the kit", err, kitModule)
	}
	o.version = v
	return o, -1
}

// checkModulePath refuses what the go command or the Cloud Functions
// buildpack would: an invalid path, a first element without a dot, the
// kit's own path.
func checkModulePath(p string) error {
	if err := module.CheckPath(p); err != nil {
		return fmt.Errorf("bad module path %q: %v (give a path like example.com/mybot or github.com/you/mybot)", p, err)
	}
	if p == kitModule || strings.HasPrefix(p, kitModule+"/") {
		return fmt.Errorf("module path %q is the kit's own: give your bot's, like example.com/mybot", p)
	}
	return nil
}

// defaultDir is the module path's last element, without a major version
// suffix (example.com/mybot/v2 -> mybot).
func defaultDir(mod string) string {
	prefix, _, ok := module.SplitPathVersion(mod)
	if !ok {
		prefix = mod
	}
	return path.Base(prefix)
}

// checkEmptyDir accepts a directory that does not exist or is empty.
func checkEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		if st, serr := os.Stat(dir); serr == nil && !st.IsDir() {
			return fmt.Errorf("%s is a file, not a directory: give a new or empty directory", dir)
		}
		return err
	case len(entries) > 0:
		return fmt.Errorf("%s is not empty: sociogram new writes only into a new or empty directory (give another DIR)", dir)
	}
	return nil
}

// checkKitPath returns the absolute path of a checkout of the kit.
func checkKitPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	data, err := os.ReadFile(filepath.Join(abs, "go.mod"))
	if err != nil {
		return "", fmt.Errorf("-kit %s: no go.mod there: give the root of a checkout of %s", p, kitModule)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == kitModule {
			return abs, nil
		}
	}
	return "", fmt.Errorf("-kit %s: its go.mod is not module %s: give the root of a checkout of the kit", p, kitModule)
}

// kitVersion is the version of the kit this command was built from, when a
// project can require it: a release or a pseudo-version the proxy can
// serve, not a local build ((devel)), a modified checkout (+dirty) or a
// replaced module.
func kitVersion(bi *debug.BuildInfo) (string, error) {
	if bi == nil {
		return "", errors.New("this build of sociogram carries no module information")
	}
	m := &bi.Main
	if m.Path != kitModule {
		m = nil
		for _, d := range bi.Deps {
			if d.Path == kitModule {
				m = d
			}
		}
		if m == nil {
			return "", fmt.Errorf("this build of sociogram does not name the %s version it was built from", kitModule)
		}
	}
	v := m.Version
	switch {
	case m.Replace != nil:
		return "", fmt.Errorf("this sociogram was built from a replaced kit (%s)", m.Replace.Path)
	case v == "" || v == "(devel)":
		return "", errors.New("this sociogram was built from a local checkout of the kit, which has no version")
	case strings.Contains(v, "+"):
		return "", fmt.Errorf("this sociogram was built from a modified checkout of the kit (%s)", v)
	case !semver.IsValid(v) || v == zeroVersion:
		return "", fmt.Errorf("this sociogram was built from kit version %q, which go get cannot fetch", v)
	}
	return v, nil
}

// goMod is a new project's go.mod before go mod tidy.
func goMod(o newOptions) string {
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire %s %s\n\ntool (\n", o.module, goVersion, kitModule, o.version)
	for _, t := range kitTools {
		fmt.Fprintf(&b, "\t%s/%s\n", kitModule, t)
	}
	b.WriteString(")\n")
	if o.kitPath != "" {
		fmt.Fprintf(&b, "\nreplace %s => %s\n", kitModule, quoteModPath(o.kitPath))
	}
	return b.String()
}

// quoteModPath quotes a path for go.mod when it needs it.
func quoteModPath(p string) string {
	if strings.ContainsAny(p, " \t\"'`\\") || strings.Contains(p, "//") {
		return fmt.Sprintf("%q", p)
	}
	return p
}

// goModTidy runs go mod tidy in dir, so go.sum is complete.
func goModTidy(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "tidy")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go mod tidy in %s: %w", dir, err)
	}
	return nil
}
