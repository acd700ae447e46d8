package gcfadapter_test

import (
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/internal/tfschema"
)

// TestTerraformSchema checks every google_* resource and data block of
// terraform/*.tf against the google provider v7.44.0 schema, with the
// Firestore resources it lacks from schemas derived from the provider's
// source (tfschema.Google; the log says which). The
// archive_file data source is not checked: the archive provider's schema is
// not available offline (its use is asserted by TestTerraformUpload).
func TestTerraformSchema(t *testing.T) {
	schema, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	if note := schema.DerivedNote(); note != "" {
		t.Log(note)
	}
	srcs, _ := tfFiles(t)
	problems, err := schema.Check("google_", srcs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// block finds the first block of type typ with labels in body.
func block(body *hclsyntax.Body, typ string, labels ...string) *hclsyntax.Body {
	for _, b := range body.Blocks {
		if b.Type == typ && strings.Join(b.Labels, ".") == strings.Join(labels, ".") {
			return b.Body
		}
	}
	return nil
}

// find returns the only block typ.labels across the files.
func find(t *testing.T, bodies []*hclsyntax.Body, typ string, labels ...string) *hclsyntax.Body {
	t.Helper()
	for _, body := range bodies {
		if b := block(body, typ, labels...); b != nil {
			return b
		}
	}
	t.Fatalf("terraform: no %s %s", typ, strings.Join(labels, "."))
	return nil
}

// literal returns the constant string value of attribute name in body.
func literal(t *testing.T, body *hclsyntax.Body, name string) string {
	t.Helper()
	a, ok := body.Attributes[name]
	if !ok {
		t.Fatalf("terraform: no argument %s", name)
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.Type().Equals(cty.String) || v.IsNull() {
		t.Fatalf("terraform: %s is not a literal string", name)
	}
	return v.AsString()
}

// refs returns the references of attribute name in body, as "a.b.c".
func refs(t *testing.T, body *hclsyntax.Body, name string) []string {
	t.Helper()
	a, ok := body.Attributes[name]
	if !ok {
		t.Fatalf("terraform: no argument %s", name)
	}
	var out []string
	for _, tr := range a.Expr.Variables() {
		var parts []string
		for _, step := range tr {
			switch s := step.(type) {
			case hcl.TraverseRoot:
				parts = append(parts, s.Name)
			case hcl.TraverseAttr:
				parts = append(parts, s.Name)
			}
		}
		out = append(out, strings.Join(parts, "."))
	}
	return out
}

// TestTerraformFunction asserts what the code relies on.
func TestTerraformFunction(t *testing.T) {
	_, bodies := tfFiles(t)
	fn := find(t, bodies, "resource", "google_cloudfunctions2_function", "bot")
	build := block(fn, "build_config")
	if got := literal(t, build, "entry_point"); got != gcfadapter.EntryPoint {
		t.Errorf("entry_point = %q, want %q", got, gcfadapter.EntryPoint)
	}
	gomod, err := os.ReadFile(testtools.Root() + "/go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+)\.(\d+)\.(\d+)$`).FindStringSubmatch(string(gomod))
	if m == nil || m[0] != "go 1.26.0" {
		t.Errorf("go.mod: want the line go 1.26.0 (see DESIGN.md), found %q", m)
	} else if got, want := literal(t, build, "runtime"), "go"+m[1]+m[2]; got != want {
		t.Errorf("runtime = %q, want %q to match go.mod", got, want)
	}
	if !regexp.MustCompile(`(?m)^\s*github.com/GoogleCloudPlatform/functions-framework-go v1\.9\.2$`).Match(gomod) {
		t.Error("go.mod must require functions-framework-go v1.9.2 directly, or the buildpack injects its own")
	}
	if src := block(build, "source"); src == nil || block(src, "storage_source") == nil {
		t.Fatal("build_config has no source.storage_source")
	} else if got := refs(t, block(src, "storage_source"), "object"); len(got) != 1 || got[0] != "google_storage_bucket_object.source.name" {
		t.Errorf("the function builds from %v, want google_storage_bucket_object.source.name", got)
	}

	svc := block(fn, "service_config")
	if got := literal(t, svc, "ingress_settings"); got != "ALLOW_ALL" {
		t.Errorf("ingress_settings = %q, want ALLOW_ALL (the platform calls from the internet)", got)
	}
	if _, ok := svc.Attributes["timeout_seconds"]; !ok {
		t.Error("service_config sets no timeout_seconds")
	}
	sec := block(svc, "secret_environment_variables")
	if sec == nil {
		t.Fatal("no secret_environment_variables")
	}
	if got := literal(t, sec, "key"); got != config.EnvToken {
		t.Errorf("secret env var = %q, want %q", got, config.EnvToken)
	}
	env := svc.Attributes["environment_variables"]
	if env == nil {
		t.Fatal("no environment_variables")
	}
	keys := envKeys(env.Expr)
	for _, k := range []string{config.EnvAPIURL, config.EnvRateLimit, config.EnvLogLevel, gcfadapter.EnvProject} {
		if !keys[k] {
			t.Errorf("environment_variables lacks %s", k)
		}
	}
	if keys[config.EnvToken] {
		t.Errorf("%s must come from the secret, not a plain variable", config.EnvToken)
	}
	if got := refs(t, svc, "service_account_email"); len(got) != 1 || got[0] != "google_service_account.runtime.email" {
		t.Errorf("the function runs as %v, want google_service_account.runtime.email", got)
	}
}

// TestTerraformAccess: the runtime account reads the one secret; anyone may
// invoke (the X-App-Key is the authentication); the URL is an output.
func TestTerraformAccess(t *testing.T) {
	_, bodies := tfFiles(t)
	acc := find(t, bodies, "resource", "google_secret_manager_secret_iam_member", "runtime")
	if got := literal(t, acc, "role"); got != "roles/secretmanager.secretAccessor" {
		t.Errorf("secret role = %q", got)
	}
	if got := refs(t, acc, "member"); len(got) != 1 || got[0] != "google_service_account.runtime.email" {
		t.Errorf("secret member refers to %v", got)
	}
	if got := refs(t, acc, "secret_id"); len(got) != 1 || got[0] != "local.token_secret_id" {
		t.Errorf("secret_id refers to %v, want local.token_secret_id (the secret the function reads)", got)
	}
	inv := find(t, bodies, "resource", "google_cloud_run_service_iam_member", "public")
	if literal(t, inv, "role") != "roles/run.invoker" || literal(t, inv, "member") != "allUsers" {
		t.Error("the function is not publicly invokable")
	}
	out := find(t, bodies, "output", "webhook_url")
	if got := refs(t, out, "value"); len(got) != 1 || got[0] != "google_cloudfunctions2_function.bot.url" {
		t.Errorf("output webhook_url = %v, want google_cloudfunctions2_function.bot.url", got)
	}
	tf := find(t, bodies, "terraform")
	prov := block(tf, "required_providers")
	google, _ := prov.Attributes["google"].Expr.Value(nil)
	if v := google.GetAttr("version").AsString(); v != ">= 7.0, < 8.0" {
		t.Errorf("google provider version = %q, want the 7.x range", v)
	}
}

// TestTerraformUpload: the archive holds exactly local.source_files, each
// under its own path (the files TestBuildpackBuild builds).
func TestTerraformUpload(t *testing.T) {
	_, bodies := tfFiles(t)
	arch := find(t, bodies, "data", "archive_file", "source")
	for _, name := range []string{"source_dir", "source_file", "source_content", "excludes"} {
		if _, ok := arch.Attributes[name]; ok {
			t.Errorf("archive_file sets %s: the upload must be local.source_files only", name)
		}
	}
	dyn := block(arch, "dynamic", "source")
	if dyn == nil {
		t.Fatal(`archive_file has no dynamic "source"`)
	}
	if got := refs(t, dyn, "for_each"); len(got) != 1 || got[0] != "local.source_files" {
		t.Errorf("archive sources iterate %v, want local.source_files", got)
	}
	content := block(dyn, "content")
	if got := refs(t, content, "filename"); len(got) != 1 || got[0] != "source.value" {
		t.Errorf("filename = %v, want source.value", got)
	}
	if got := refs(t, content, "content"); !contains(got, "source.value") || !contains(got, "local.source_root") {
		t.Errorf("content = %v, want file(local.source_root/source.value)", got)
	}
	obj := find(t, bodies, "resource", "google_storage_bucket_object", "source")
	if got := refs(t, obj, "name"); !contains(got, "data.archive_file.source.output_md5") {
		t.Errorf("the object's name %v does not follow the archive's hash: code changes would not redeploy", got)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// TestTerraformFmt runs terraform fmt -check on terraform/.
func TestTerraformFmt(t *testing.T) {
	tf := testtools.Require(t, "terraform")
	cmd := exec.Command(tf, "fmt", "-check", "-recursive", "-diff", "terraform")
	cmd.Dir = testtools.Root()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("terraform fmt -check: %v\n%s", err, out)
	}
}

// envKeys returns the literal keys of an environment_variables expression:
// an object, or merge() of objects and conditionals between objects (the
// reply queue adds its variable only when it is on).
func envKeys(e hclsyntax.Expression) map[string]bool {
	keys := map[string]bool{}
	var walk func(e hclsyntax.Expression)
	walk = func(e hclsyntax.Expression) {
		switch x := e.(type) {
		case *hclsyntax.ObjectConsExpr:
			for _, item := range x.Items {
				if k, diags := item.KeyExpr.Value(nil); !diags.HasErrors() && k.Type() == cty.String {
					keys[k.AsString()] = true
				}
			}
		case *hclsyntax.FunctionCallExpr:
			if x.Name == "merge" {
				for _, a := range x.Args {
					walk(a)
				}
			}
		case *hclsyntax.ConditionalExpr:
			walk(x.TrueResult)
			walk(x.FalseResult)
		}
	}
	walk(e)
	return keys
}
