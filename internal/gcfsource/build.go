package gcfsource

import (
	"fmt"
	"os"
	"path/filepath"
)

// AppModule is the module the buildpack creates around the upload.
const AppModule = "serverless_function_app"

// generatedMain is the main the Go functions buildpack writes for a function
// registered declaratively (functions.HTTP in an init): it blank-imports the
// function's package and starts the framework on PORT.
const generatedMain = `// Binary main file implements an HTTP server that loads and runs user's code
// on incoming HTTP requests.
package main

import (
	"log"
	"net/http"
	"os"

	_ "%s"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"
)

func main() {
	http.HandleFunc("/robots.txt", http.NotFound)
	http.HandleFunc("/favicon.ico", http.NotFound)

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	if err := funcframework.Start(port); err != nil {
		log.Fatalf("Function failed to start: %%v\n", err)
	}
}
`

// Build builds exactly s.Files the way the Cloud Functions Go buildpack does
// and returns the path of the binary (app/bin/main):
//
//  1. the files are copied into the folder functions/ of app, an empty or
//     absent directory standing for the buildpack's application root;
//  2. a new module serverless_function_app at app requires s.Module at
//     v0.0.0, replaced by ./functions (and, when List was given
//     [WithLocalReplaces], by go.mod's local replaces, made absolute);
//  3. a generated main blank-imports the root package and calls
//     funcframework.Start(PORT);
//  4. go build runs with GOFLAGS=-mod=mod.
//
// The upload's go.sum seeds the new module's, so checksums already verified
// are not fetched again; the versions built are those the buildpack selects.
// env is added to the go commands' environment (GOOS=linux GOARCH=amd64
// builds for the runtime's platform). A file missing from s.Files fails here
// as it would fail the deploy.
func (s *Source) Build(app string, env ...string) (string, error) {
	if err := emptyDir(app); err != nil {
		return "", err
	}
	if err := s.copyFiles(filepath.Join(app, "functions")); err != nil {
		return "", err
	}
	env = append([]string{"GOFLAGS=-mod=mod", "GOWORK=off"}, env...)
	if _, err := goCmd(app, env, "mod", "init", AppModule); err != nil {
		return "", err
	}
	edit := []string{"mod", "edit", "-require", s.Module + "@v0.0.0", "-replace", s.Module + "@v0.0.0=./functions"}
	for _, r := range s.replaces {
		edit = append(edit, "-replace", r.Old+"="+r.Abs)
	}
	if _, err := goCmd(app, env, edit...); err != nil {
		return "", err
	}
	if sum, err := os.ReadFile(filepath.Join(app, "functions", "go.sum")); err == nil {
		if err := os.WriteFile(filepath.Join(app, "go.sum"), sum, 0o644); err != nil {
			return "", err
		}
	}
	main := fmt.Sprintf(generatedMain, s.Module)
	if err := os.WriteFile(filepath.Join(app, "main.go"), []byte(main), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(app, "bin", "main")
	if _, err := goCmd(app, env, "build", "-o", bin, "."); err != nil {
		return "", fmt.Errorf("the upload does not build the way Cloud Functions builds it (%d files of %s): %w", len(s.Files), s.Module, err)
	}
	return bin, nil
}

// emptyDir creates dir, or checks that it is empty.
func emptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("build directory %s is not empty", dir)
	}
	return nil
}

// copyFiles copies s.Files from s.Dir into dst.
func (s *Source) copyFiles(dst string) error {
	for _, f := range s.Files {
		if !filepath.IsLocal(filepath.FromSlash(f)) {
			return fmt.Errorf("upload file %q is not inside the module", f)
		}
		data, err := os.ReadFile(filepath.Join(s.Dir, filepath.FromSlash(f)))
		if err != nil {
			return fmt.Errorf("the upload lists %s: %w", f, err)
		}
		to := filepath.Join(dst, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
