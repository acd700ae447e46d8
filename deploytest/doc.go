// Package deploytest runs the Sociogram bot kit's deploy proofs on a bot
// project, the same checks the kit runs on its own deploy files. A project
// made by `sociogram new` calls them from deploy/deploy_test.go, so its
// `make test` proves, offline, that what it would deploy is sound:
//
//	func TestTemplate(t *testing.T)       { deploytest.Template(t, "..") }
//	func TestTerraform(t *testing.T)      { deploytest.Terraform(t, "..") }
//	func TestCloudFunctions(t *testing.T) { deploytest.CloudFunctions(t, "..") }
//	func TestLambda(t *testing.T)         { deploytest.Lambda(t, "..") }
//
// dir is the project's root: the folder with go.mod, template.yaml,
// terraform/ and the Makefile. Template lints template.yaml with cfn-lint;
// Terraform checks terraform/ against the google provider's schema;
// CloudFunctions builds the computed Cloud Functions upload the way the Go
// buildpack does, starts it and checks its answers; Lambda builds the
// bootstrap with the Makefile's build-WebhookFunction (what sam build runs),
// runs it under aws-lambda-rie and checks its answers to API Gateway
// events. The answers checked are those that do not depend on the bot's
// handlers: the status table (a bad key 401, a bad body 400, a wrong method
// 405, ...) and events that dispatch nothing; the bot's replies are its own
// tests' business.
//
// The external tools (cfn-lint, terraform, aws-lambda-rie, make, timeout)
// are looked up in dir/bin/tools, then on PATH. A check whose tool is
// missing is skipped, or fails when KIT_REQUIRE_TOOLS=1, as in CI: CI must
// never pass by skipping.
package deploytest
