package main

import (
	"embed"
	"io/fs"
)

// The deploy files a new project gets byte for byte from the kit's root: the
// kit's own files are their single source of truth. kitfiles/ holds copies
// (the go command cannot embed files outside the package's folder), written
// by `go generate ./cmd/sociogram`; TestKitFiles fails when they drift.
//
//go:generate go test -run ^TestKitFiles$ -update-kitfiles

// kitFilePatterns are the kit's deploy files, as globs relative to its root.
var kitFilePatterns = []string{
	"template.yaml",
	"samconfig.toml",
	"terraform/*.tf",
	"terraform/terraform.tfvars.example",
	"terraform/.gitignore",
}

//go:embed all:kitfiles
var kitFilesFS embed.FS

// kitFiles is the embedded copies, by path relative to the project's root.
func kitFiles() fs.FS {
	sub, err := fs.Sub(kitFilesFS, "kitfiles")
	if err != nil {
		panic(err) // cannot happen: kitfiles is embedded
	}
	return sub
}
