// Package tfschema checks Terraform configurations against a provider's
// schema, offline: it parses .tf files with hashicorp/hcl/v2 and checks every
// resource and data block of the provider against the schema exported by
// `terraform providers schema -json`. It reports unknown arguments and
// blocks, arguments only the provider may set, missing required arguments and
// blocks, too many blocks, literal values of the wrong type, and references
// to attributes a resource does not have.
//
// `terraform validate` does all this and more, but needs the provider
// binary, which cannot be downloaded here. Blocks of other providers (such as
// archive_file) are not checked: their schemas are not available offline.
//
// The google schema (Google) is the provider v7.44.0's export, plus, merged
// in and named in Schema.Derived, the resources that export lacks (Firestore,
// the Artifact Registry repository, resource-level Pub/Sub and repository
// IAM members), written by hand from the provider's source (testdata/DerivedFile):
// checks of those are only as good as that transcription.
package tfschema
