package gcfsource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// Source is what a Cloud Functions deploy of one module uploads.
type Source struct {
	Dir     string   // the module's root directory, absolute
	Module  string   // the module path
	Package string   // the name of the root package
	Files   []string // relative to Dir, slash-separated, sorted
	// Packages are the import paths of the main module's packages the root
	// package needs, itself included, sorted.
	Packages []string

	replaces []Replace // go.mod's replace directives that point at a directory
}

// Replace is a go.mod replace directive that points at a local directory.
type Replace struct {
	Old string // the replaced module path, and @version if the directive has one
	Dir string // the directory as go.mod spells it
	Abs string // the directory, absolute
}

// Option adjusts [List].
type Option func(*options)

type options struct{ localReplaces bool }

// WithLocalReplaces accepts go.mod replace directives that point at a local
// directory, as in a project made with `sociogram new -kit PATH`; [Source.Build]
// carries them into its build. Such a source builds here but cannot deploy:
// the buildpack sees only the upload.
func WithLocalReplaces() Option { return func(o *options) { o.localReplaces = true } }

// LocalReplaces returns go.mod's replace directives that point at a local
// directory (List refuses them unless [WithLocalReplaces]).
func (s *Source) LocalReplaces() []Replace { return slices.Clone(s.replaces) }

// Platform is the environment List lists the packages for: the platform of
// the Cloud Functions runtime. GOWORK=off because the upload holds no go.work.
var Platform = []string{"GOOS=linux", "GOARCH=amd64", "GOWORK=off"}

// ffFunctions is the package whose functions.HTTP registers a function; the
// root package must import it, directly or through the kit's adapter.
const ffFunctions = "github.com/GoogleCloudPlatform/functions-framework-go/functions"

// Files returns the files the Cloud Functions upload of the module at dir
// needs (see [List]), or why it cannot deploy.
func Files(dir string) ([]string, error) {
	s, err := List(dir)
	if err != nil {
		return nil, err
	}
	return s.Files, nil
}

// List computes the upload of the module whose root is dir and checks it
// (see the package documentation). The error says what to change; several
// problems are joined.
func List(dir string, opts ...Option) (*Source, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := &Source{Dir: abs}
	if _, err := os.Stat(filepath.Join(abs, "go.mod")); err != nil {
		return nil, fmt.Errorf("no go.mod in %s: run this in the root of the bot's module, the folder with go.mod", abs)
	}
	if err := s.readGoMod(); err != nil {
		return nil, err
	}
	pkgs, err := listDeps(abs)
	if err != nil {
		return nil, err
	}
	if err := s.collect(pkgs); err != nil {
		return nil, err
	}
	if err := s.check(pkgs, o); err != nil {
		return nil, err
	}
	return s, nil
}

// readGoMod reads the module path and the local replace directives.
func (s *Source) readGoMod() error {
	out, err := goCmd(s.Dir, nil, "mod", "edit", "-json", "go.mod")
	if err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(s.Dir, "go.mod"), err)
	}
	var mod struct {
		Module  struct{ Path string }
		Replace []struct {
			Old, New struct{ Path, Version string }
		}
	}
	if err := json.Unmarshal(out, &mod); err != nil {
		return fmt.Errorf("reading %s: %w", filepath.Join(s.Dir, "go.mod"), err)
	}
	s.Module = mod.Module.Path
	for _, r := range mod.Replace {
		if r.New.Version != "" {
			continue // a module version: fetched like any other
		}
		old := r.Old.Path
		if r.Old.Version != "" {
			old += "@" + r.Old.Version
		}
		abs := r.New.Path
		if !filepath.IsAbs(abs) {
			abs = filepath.Join(s.Dir, filepath.FromSlash(abs))
		}
		s.replaces = append(s.replaces, Replace{Old: old, Dir: r.New.Path, Abs: abs})
	}
	return nil
}

// pkg is the part of `go list -json` List reads.
type pkg struct {
	ImportPath, Name, Dir string
	Standard              bool
	Module                *struct {
		Path, Dir string
		Main      bool
	}
	GoFiles, CgoFiles, IgnoredGoFiles                     []string
	CFiles, CXXFiles, MFiles, HFiles, FFiles, SFiles      []string
	SwigFiles, SwigCXXFiles, SysoFiles, IgnoredOtherFiles []string
	EmbedFiles                                            []string
	Error                                                 *struct{ Err string }
	DepsErrors                                            []*struct{ Err string }
}

// listDeps runs `go list -deps -json .` in dir for the runtime's platform.
func listDeps(dir string) ([]pkg, error) {
	out, err := goCmd(dir, Platform, "list", "-deps", "-json", ".")
	if err != nil {
		return nil, fmt.Errorf("listing the packages the function needs: %w", err)
	}
	var pkgs []pkg
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list's output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// collect sets Files, Packages and Package from the main module's packages.
func (s *Source) collect(pkgs []pkg) error {
	files := []string{"go.mod"}
	if _, err := os.Stat(filepath.Join(s.Dir, "go.sum")); err == nil {
		files = append(files, "go.sum")
	}
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main {
			continue
		}
		if p.ImportPath == s.Module {
			s.Package = p.Name
		}
		rel, err := filepath.Rel(p.Module.Dir, p.Dir)
		if err != nil || strings.HasPrefix(rel, "..") {
			return fmt.Errorf("package %s is outside its module's folder %s", p.ImportPath, p.Module.Dir)
		}
		s.Packages = append(s.Packages, p.ImportPath)
		for _, list := range [][]string{
			p.GoFiles, p.CgoFiles, p.IgnoredGoFiles, p.CFiles, p.CXXFiles, p.MFiles, p.HFiles,
			p.FFiles, p.SFiles, p.SwigFiles, p.SwigCXXFiles, p.SysoFiles, p.IgnoredOtherFiles, p.EmbedFiles,
		} {
			for _, f := range list {
				if !strings.HasSuffix(f, "_test.go") {
					files = append(files, path.Join(filepath.ToSlash(rel), f))
				}
			}
		}
	}
	slices.Sort(files)
	s.Files = slices.Compact(files)
	slices.Sort(s.Packages)
	if s.Package == "" {
		return fmt.Errorf("%s: no Go package at the module's root: Cloud Functions builds the package at the root of the upload (see the kit's function.go)", s.Dir)
	}
	return nil
}

// check returns every reason the upload would fail once uploaded.
func (s *Source) check(pkgs []pkg, o options) error {
	var errs []error
	if first, _, _ := strings.Cut(s.Module, "/"); !strings.Contains(first, ".") {
		errs = append(errs, fmt.Errorf("module path %q: the buildpack needs a dot in its first element (e.g. example.com/mybot); change the module line of go.mod", s.Module))
	}
	if s.Package == "main" {
		errs = append(errs, fmt.Errorf("the package at the module's root is main: Cloud Functions generates its own main and imports the root package, so name it otherwise (e.g. package function) and keep commands in folders such as cmd/"))
	} else if s.uploadsFolder(s.Package) {
		errs = append(errs, fmt.Errorf("the root package is named %q like the folder %s/ of the upload: the buildpack would import %s/%s instead of the root package; rename the package (e.g. package function)", s.Package, s.Package, s.Module, s.Package))
	}
	if !slices.ContainsFunc(pkgs, func(p pkg) bool { return p.ImportPath == ffFunctions }) {
		errs = append(errs, fmt.Errorf("the root package %s registers no function: nothing imports %s; call gcfadapter.RegisterFunctions in its init (see the kit's function.go)", s.Module, ffFunctions))
	}
	if !o.localReplaces {
		for _, r := range s.replaces {
			errs = append(errs, fmt.Errorf("go.mod replaces %s with the local folder %s: Cloud Functions builds only the uploaded files, so it cannot see %s; require a published version instead (go mod edit -dropreplace=%s, then go get %s@VERSION)", r.Old, r.Dir, r.Dir, r.Old, strings.Split(r.Old, "@")[0]))
		}
	}
	errs = append(errs, s.checkText()...)
	return errors.Join(errs...)
}

// uploadsFolder reports whether the upload has a folder name at its root.
func (s *Source) uploadsFolder(name string) bool {
	return slices.ContainsFunc(s.Files, func(f string) bool { return strings.HasPrefix(f, name+"/") })
}

// checkText refuses files Terraform's file() cannot read: it reads UTF-8 text
// only, and terraform/source.tf zips every file through it.
func (s *Source) checkText() []error {
	var errs []error
	for _, f := range s.Files {
		data, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(f)))
		if err != nil {
			errs = append(errs, err)
		} else if !isText(data) {
			errs = append(errs, fmt.Errorf("%s is not UTF-8 text: terraform/source.tf zips the upload with Terraform's file(), which reads text only; embed it base64-encoded, or serve it from elsewhere", f))
		}
	}
	return errs
}

// goCmd runs go in dir with env added to the process's environment and
// returns its standard output, or an error carrying its standard error.
func goCmd(dir string, env []string, args ...string) ([]byte, error) {
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// isText reports whether Terraform's file() can read data.
func isText(data []byte) bool { return utf8.Valid(data) }
