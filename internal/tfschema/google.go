package tfschema

import _ "embed"

// GoogleProvider is the provider address of the schema Google returns.
const GoogleProvider = "registry.terraform.io/hashicorp/google"

// googleSchema is the google provider v7.44.0's schema (the format of
// `terraform providers schema -json`), trimmed to the resources a Cloud
// Functions webhook needs.
//
//go:embed testdata/google-provider-v7.44.0-schema.json
var googleSchema []byte

// Google returns the google provider v7.44.0's schema, embedded, for
// checking a bot project's terraform/ offline.
func Google() (*Schema, error) { return Load(googleSchema, GoogleProvider) }
