// Package gcfsource computes and checks the source a Google Cloud Functions
// deploy uploads, from the build itself rather than from a hand-kept list.
//
// The Cloud Functions Go buildpack builds the Go package at the root of the
// uploaded source (DESIGN.md, "Cloud Functions deploy contract"). [List] asks
// `go list -deps` which packages of the main module that root package needs
// (for linux/amd64, the runtime's platform) and returns every non-test Go
// file of them, the other files the compiler reads (assembly, C, .syso), every
// file they embed with //go:embed, go.mod and go.sum: nothing else of the
// module is uploaded, and nothing it needs is left out, whatever packages the
// bot adds.
//
// [List] also refuses what would fail only once uploaded, each time saying
// what to change: a go.mod replace pointing at a local directory (the build
// sees only the upload), a root package named main or named like a folder at
// the root of the upload, a module path without a dot in its first element, a
// root package that registers no function, and an embedded file that is not
// UTF-8 text (Terraform's file() reads text only).
//
// [Source.Write] writes the list as JSON for terraform/source.tf, and
// [Source.Build] builds exactly the listed files the way the buildpack does:
// the only offline proof that a deploy will build. `sociogram gcf-source`
// (which `make deploy-gcp` runs before `terraform apply`) does all three.
package gcfsource
