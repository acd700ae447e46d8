package tfschema

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// GoogleProvider is the provider address of the schema Google returns.
const GoogleProvider = "registry.terraform.io/hashicorp/google"

// googleSchema is the google provider v7.44.0's schema (the format of
// `terraform providers schema -json`), trimmed to the resources a Cloud
// Functions webhook needs.
//
//go:embed testdata/google-provider-v7.44.0-schema.json
var googleSchema []byte

// googleDerived holds the schemas of resources the v7.44.0 export lacks
// (Firestore's, the Artifact Registry repository's, and the IAM members of
// a Pub/Sub topic, a subscription and a repository), written by hand from
// the provider's source in the same format: see the file's _note. It never
// replaces an exported schema.
//
//go:embed testdata/google-provider-derived-schema.json
var googleDerived []byte

// DerivedFile is the file, under testdata/, of the derived schemas.
const DerivedFile = "google-provider-derived-schema.json"

// Google returns the google provider v7.44.0's schema, embedded, for
// checking a bot project's terraform/ offline, with the derived schemas of
// DerivedFile merged in (Schema.Derived names them, for the caller's log).
func Google() (*Schema, error) {
	s, err := Load(googleSchema, GoogleProvider)
	if err != nil {
		return nil, err
	}
	d, err := Load(googleDerived, GoogleProvider)
	if err != nil {
		return nil, fmt.Errorf("tfschema: %s: %w", DerivedFile, err)
	}
	if err := s.MergeDerived(d); err != nil {
		return nil, fmt.Errorf("tfschema: %s: %w", DerivedFile, err)
	}
	return s, nil
}

// MergeDerived adds d's resource and data source schemas, which were not
// exported from the provider but derived from its source, and records their
// names in s.Derived. A type s already has is an error: an exported schema
// is never overridden.
func (s *Schema) MergeDerived(d *Schema) error {
	for _, m := range []struct {
		into, from map[string]*Block
		prefix     string
	}{{s.Resources, d.Resources, ""}, {s.DataSources, d.DataSources, "data."}} {
		for name, b := range m.from {
			if m.into[name] != nil {
				return fmt.Errorf("%s%s is in the exported schema already: remove it from the derived one", m.prefix, name)
			}
			m.into[name] = b
			s.Derived = append(s.Derived, m.prefix+name)
		}
	}
	sort.Strings(s.Derived)
	return nil
}

// DerivedNote is a line for a test's log saying which types were checked
// against derived schemas rather than the provider's export ("" for none).
func (s *Schema) DerivedNote() string {
	if len(s.Derived) == 0 {
		return ""
	}
	return fmt.Sprintf("%s: checked against schemas derived by hand from the provider's source (internal/tfschema/testdata/%s), not against the v7.44.0 export, which lacks them",
		strings.Join(s.Derived, ", "), DerivedFile)
}
