package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/internal/gcfsource"
)

// gcfSource is `sociogram gcf-source`: it lists the files the Cloud
// Functions upload of the bot project needs (the Go files and embedded files
// of every package of the project its root package depends on, go.mod and
// go.sum), refuses what could not deploy, builds exactly those files the way
// the buildpack does, and only then writes the list terraform/source.tf
// uploads. `make deploy-gcp` runs it before `terraform apply`.
func gcfSource(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sociogram gcf-source", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".", "the bot project's root: the folder with go.mod")
	out := fs.String("out", gcfsource.DefaultOut, "the list terraform/source.tf reads, relative to -dir (empty: write none)")
	check := fs.Bool("check", true, "build the upload the way the Cloud Functions buildpack does before writing the list")
	local := fs.Bool("local-replace", false, "accept go.mod replace directives that point at a local folder (a project made with new -kit) and build with them; such an upload cannot deploy")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: sociogram gcf-source [-dir DIR] [-out FILE] [-check=false] [-local-replace]")
		fmt.Fprintln(stderr)
		fmt.Fprintln(stderr, "Lists the files the Cloud Functions upload of the bot project needs (from go list -deps")
		fmt.Fprintln(stderr, "of its root package), builds exactly them the way the buildpack does, then writes")
		fmt.Fprintln(stderr, "the list terraform/source.tf uploads. make deploy-gcp runs it before terraform apply.")
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "sociogram gcf-source: unexpected argument %q (the project's folder is -dir)\n", fs.Arg(0))
		return exitUsage
	}
	list := *out
	if list != "" && !filepath.IsAbs(list) {
		list = filepath.Join(*dir, list)
	}
	if err := writeSource(*dir, list, *check, *local, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "sociogram gcf-source:", err)
		if removeList(list) {
			fmt.Fprintf(stderr, "sociogram gcf-source: removed the previous %s, so that Terraform cannot upload a stale list\n", list)
		}
		return exitFailed
	}
	return exitOK
}

// writeSource lists, checks and builds the upload of dir, and writes the
// list to list unless it is empty.
func writeSource(dir, list string, check, local bool, stdout, stderr io.Writer) error {
	var opts []gcfsource.Option
	if local {
		opts = append(opts, gcfsource.WithLocalReplaces())
	}
	start := time.Now()
	fmt.Fprintln(stdout, "gcf-source: listing the packages the function needs (go list -deps)...")
	src, err := gcfsource.List(dir, opts...)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gcf-source: %d files of %d packages of %s (%s)\n", len(src.Files), len(src.Packages), src.Module, since(start))
	for _, r := range src.LocalReplaces() {
		fmt.Fprintf(stderr, "gcf-source: warning: go.mod replaces %s with the local folder %s: this upload builds here but cannot deploy\n", r.Old, r.Dir)
	}
	if check {
		start := time.Now()
		fmt.Fprintln(stdout, "gcf-source: building the upload the way the buildpack does...")
		app, err := os.MkdirTemp("", "sociogram-gcf-source-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(app)
		if _, err := src.Build(filepath.Join(app, "app"), gcfsource.Platform...); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "gcf-source: it builds (%s)\n", since(start))
	}
	if list == "" {
		fmt.Fprintf(stdout, "gcf-source: %d files, ok\n", len(src.Files))
		return nil
	}
	if err := src.Write(list); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "gcf-source: %d files, ok: wrote %s\n", len(src.Files), list)
	return nil
}

// removeList removes a list gcf-source wrote earlier at path, and reports
// whether it did; it leaves any other file alone.
func removeList(path string) bool {
	data, err := os.ReadFile(path)
	var l gcfsource.ListFile
	if path == "" || err != nil || json.Unmarshal(data, &l) != nil || !strings.Contains(l.Comment, "gcf-source") {
		return false
	}
	return os.Remove(path) == nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(10 * time.Millisecond) }
