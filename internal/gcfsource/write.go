package gcfsource

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// DefaultOut is where `sociogram gcf-source` writes the list, relative to the
// module's root: terraform/source.tf reads it from there (its .build/ folder
// is ignored by git).
const DefaultOut = "terraform/.build/source-files.json"

// ListFile is the JSON document [Source.Write] writes: terraform/source.tf
// uploads jsondecode(file(...)).files.
type ListFile struct {
	Comment string   `json:"comment"`
	Module  string   `json:"module"`
	Files   []string `json:"files"`
}

// Write writes the list of files as JSON ([ListFile]) to path, creating its
// folder; it replaces path atomically, so Terraform never reads half a list.
func (s *Source) Write(path string) error {
	data, err := json.MarshalIndent(ListFile{
		Comment: "Written by sociogram gcf-source (make deploy-gcp): the files terraform/source.tf uploads. Regenerated on every deploy; do not edit.",
		Module:  s.Module,
		Files:   s.Files,
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".source-files-*.json")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// Write lists the module at dir (see [List]) and writes the list to out
// (relative to dir unless absolute).
func Write(dir, out string) error {
	s, err := List(dir)
	if err != nil {
		return err
	}
	if !filepath.IsAbs(out) {
		out = filepath.Join(s.Dir, out)
	}
	return s.Write(out)
}
