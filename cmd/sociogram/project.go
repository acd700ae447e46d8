package main

import (
	"embed"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// skel holds the templates of a project's own files: its code, tests,
// Makefile, README and .gitignore. Each NAME.tmpl becomes NAME (gitignore
// becomes .gitignore) with the placeholders of placeholders replaced. They
// are not .go files here, so the kit's build and gofmt leave them alone.
//
//go:embed skel
var skel embed.FS

// Versions of the tools a project's Makefile installs: the kit's Makefile's
// (TestMakefileVersions keeps them equal).
const (
	rieVersion       = "v0.0.0-20261030222936-bef5c4ba774d"
	terraformVersion = "v1.5.7"
)

// projectFiles returns every file of a new project but go.sum, by
// slash-separated path relative to its root.
func projectFiles(o newOptions) (map[string][]byte, error) {
	example := o.example
	if example == "" {
		example = defaultExample
	}
	repl := strings.NewReplacer(
		"__TRY__", exampleTries[example],
		"__MODULE__", o.module,
		"__NAME__", path.Base(filepath.ToSlash(filepath.Clean(o.dir))),
		"__RIE_VERSION__", rieVersion,
		"__TERRAFORM_VERSION__", terraformVersion,
	)
	files := map[string][]byte{"go.mod": []byte(goMod(o))}
	err := fs.WalkDir(skel, "skel", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, ok := strings.CutSuffix(strings.TrimPrefix(p, "skel/"), ".tmpl")
		if !ok {
			return fmt.Errorf("skel/%s: not a .tmpl file", p)
		}
		if name == "gitignore" {
			name = ".gitignore"
		}
		data, err := fs.ReadFile(skel, p)
		files[name] = []byte(repl.Replace(string(data)))
		return err
	})
	if err != nil {
		return nil, err
	}
	bot, err := exampleBot(example, o.module)
	if err != nil {
		return nil, err
	}
	maps.Copy(files, bot)
	err = fs.WalkDir(kitFiles(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files[p], err = fs.ReadFile(kitFiles(), p)
		return err
	})
	return files, err
}

// writeProject writes the project's files into o.dir (new or empty).
func writeProject(o newOptions) error {
	files, err := projectFiles(o)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(o.dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
