package tfschema_test

import (
	"os"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/tfschema"
)

const provider = "registry.terraform.io/hashicorp/google"

func load(t *testing.T) *tfschema.Schema {
	t.Helper()
	data, err := os.ReadFile("testdata/google-provider-v7.44.0-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := tfschema.Load(data, provider)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func check(t *testing.T, file string) []string {
	t.Helper()
	src, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := load(t).Check("google_", map[string][]byte{file: src})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range problems {
		out = append(out, p.String())
	}
	return out
}

// TestCheckRejectsBadConfig: the checker must find every planted mistake,
// each at its line, and nothing else.
func TestCheckRejectsBadConfig(t *testing.T) {
	want := []string{
		`bad.tf:5: google_storage_bucket.unknown_arg: unknown argument "colour"`,
		`bad.tf:6: google_storage_bucket.unknown_arg: "self_link" is set by the provider, not an argument`,
		`bad.tf:9: google_storage_bucket.missing_required: missing required argument "location"`,
		`bad.tf:16: google_storage_bucket.wrong_types: "force_destroy" wants bool`,
		`bad.tf:17: google_storage_bucket.wrong_types: "labels" wants map of string`,
		`bad.tf:20: google_cloudfunctions2_function.nested: at most 1 "build_config" block(s) allowed, has 2`,
		`bad.tf:26: google_cloudfunctions2_function.nested.build_config: unknown argument "entrypoint"`,
		`bad.tf:34: google_cloudfunctions2_function.nested.service_config: "timeout_seconds" wants number`,
		`bad.tf:35: google_cloudfunctions2_function.nested.service_config.secret_environment_variables: missing required argument "project_id"`,
		`bad.tf:40: google_cloudfunctions2_function.nested.service_config: unknown block "vpc_network"`,
		`bad.tf:45: google_secret_manager_secret.no_replication: needs at least 1 "replication" block(s), has 0`,
		`bad.tf:49: resource "google_nonexistent_thing": unknown type for this provider`,
		`bad.tf:53: data.google_project.p: "number" is set by the provider, not an argument`,
		`bad.tf:58: reference to undeclared google_storage_bucket.nowhere`,
		`bad.tf:59: google_storage_bucket.unknown_arg has no attribute "no_such_attribute"`,
	}
	got := check(t, "bad.tf")
	if len(got) != len(want) {
		t.Errorf("got %d problems, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
	}
	for i := range min(len(got), len(want)) {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("problem %d:\n got %s\nwant %s...", i, got[i], want[i])
		}
	}
}

func TestCheckAcceptsGoodConfig(t *testing.T) {
	if got := check(t, "good.tf"); len(got) > 0 {
		t.Errorf("unexpected problems:\n%s", strings.Join(got, "\n"))
	}
}

func TestLoadUnknownProvider(t *testing.T) {
	if _, err := tfschema.Load([]byte(`{"provider_schemas":{}}`), provider); err == nil {
		t.Error("want an error for a missing provider")
	}
	if _, err := tfschema.Load([]byte(`{`), provider); err == nil {
		t.Error("want an error for bad JSON")
	}
}

// TestGoogle: the embedded schema is the testdata file's, and finds the
// planted mistakes.
func TestGoogle(t *testing.T) {
	s, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	if s.Resources["google_cloudfunctions2_function"] == nil {
		t.Fatal("the embedded schema has no google_cloudfunctions2_function")
	}
	src, err := os.ReadFile("testdata/bad.tf")
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Check("google_", map[string][]byte{"bad.tf": src})
	if err != nil {
		t.Fatal(err)
	}
	if want := check(t, "bad.tf"); len(got) != len(want) || len(got) == 0 {
		t.Errorf("embedded schema: %d problems in bad.tf, the file's schema %d", len(got), len(want))
	}
}
