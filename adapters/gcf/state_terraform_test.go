package gcfadapter_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/store/firestorestore"
)

// stateDatabase evaluates local.firestore_database for the given
// var.firestore_database (cty.NullVal for unset) and the default function name.
func stateDatabase(t *testing.T, bodies []*hclsyntax.Body, name cty.Value) string {
	t.Helper()
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{
			"firestore_database": name, "function_name": cty.StringVal("sociogram-bot")})},
		Functions: map[string]function.Function{"coalesce": stdlib.CoalesceFunc},
	}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			if a, ok := b.Body.Attributes["firestore_database"]; ok && b.Type == "locals" {
				v, diags := a.Expr.Value(ctx)
				if diags.HasErrors() {
					t.Fatal(diags.Error())
				}
				return v.AsString()
			}
		}
	}
	t.Fatal("terraform: no local firestore_database")
	return ""
}

// TestTerraformState: Firestore in native mode, by default a database of the
// function's own (never "(default)"), the TTL policy on the field the store
// writes, the API on, the runtime account a datastore user of that database
// only, and the webhook told the collection and the database.
func TestTerraformState(t *testing.T) {
	_, bodies := tfFiles(t)
	if got := stateDatabase(t, bodies, cty.NullVal(cty.String)); got != "sociogram-bot-state" {
		t.Errorf("default state database = %q, want sociogram-bot-state", got)
	}
	if got := stateDatabase(t, bodies, cty.StringVal("(default)")); got != "(default)" {
		t.Errorf("firestore_database = (default) gives %q", got)
	}

	db := find(t, bodies, "resource", "google_firestore_database", "state")
	if got := literal(t, db, "type"); got != "FIRESTORE_NATIVE" {
		t.Errorf("database type = %q, want FIRESTORE_NATIVE", got)
	}
	if got := refs(t, db, "name"); !slices.Equal(got, []string{"local.firestore_database"}) {
		t.Errorf("database name = %v", got)
	}
	if got := refs(t, db, "count"); !slices.Equal(got, []string{"var.create_firestore_database"}) {
		t.Errorf("database count = %v, want var.create_firestore_database", got)
	}
	if got := literal(t, db, "deletion_policy"); got != "ABANDON" {
		t.Errorf("deletion_policy = %q: terraform destroy must keep the users' state", got)
	}

	ttl := find(t, bodies, "resource", "google_firestore_field", "state_expires")
	if got := literal(t, ttl, "field"); got != firestorestore.FieldExpires {
		t.Errorf("TTL field = %q, want %q (the store's expires field)", got, firestorestore.FieldExpires)
	}
	if block(ttl, "ttl_config") == nil {
		t.Error("the expires field has no ttl_config")
	}
	for _, f := range []*hclsyntax.Body{ttl, find(t, bodies, "resource", "google_firestore_field", "state_data")} {
		if got := refs(t, f, "collection"); !slices.Equal(got, []string{"var.state_collection"}) {
			t.Errorf("field collection = %v, want var.state_collection", got)
		}
		if got := refs(t, f, "database"); !slices.Equal(got, []string{"local.firestore_database"}) {
			t.Errorf("field database = %v, want local.firestore_database", got)
		}
	}
	if got := literal(t, find(t, bodies, "resource", "google_firestore_field", "state_data"), "field"); got != firestorestore.FieldData {
		t.Errorf("unindexed field = %q, want %q", got, firestorestore.FieldData)
	}

	if apis := find(t, bodies, "locals").Attributes["apis"]; apis == nil ||
		!strings.Contains(string(apis.SrcRange.SliceBytes(srcOf(t, "terraform/apis.tf"))), `"firestore.googleapis.com"`) {
		t.Error("firestore.googleapis.com is not among the enabled APIs")
	}

	acc := find(t, bodies, "resource", "google_project_iam_member", "state")
	if got := literal(t, acc, "role"); got != "roles/datastore.user" {
		t.Errorf("state role = %q, want roles/datastore.user", got)
	}
	if got := refs(t, acc, "member"); !slices.Equal(got, []string{"google_service_account.runtime.email"}) {
		t.Errorf("state member = %v", got)
	}
	cond := block(acc, "condition")
	if cond == nil {
		t.Fatal("the datastore.user grant has no condition: it would cover every database of the project")
	}
	expr := string(cond.Attributes["expression"].SrcRange.SliceBytes(srcOf(t, "terraform/state.tf")))
	if !strings.Contains(expr, `resource.name == \"projects/${var.project_id}/databases/${local.firestore_database}\"`) {
		t.Errorf("condition expression = %s, want the database's resource name", expr)
	}

	fn := find(t, bodies, "resource", "google_cloudfunctions2_function", "bot")
	keys := envKeys(block(fn, "service_config").Attributes["environment_variables"].Expr)
	for _, k := range []string{config.EnvStateCollection, config.EnvStateDatabase} {
		if !keys[k] {
			t.Errorf("the webhook's environment lacks %s", k)
		}
	}
	sender := find(t, bodies, "resource", "google_cloudfunctions2_function", "sender")
	if keys := envKeys(block(sender, "service_config").Attributes["environment_variables"].Expr); !keys[config.EnvState] || keys[config.EnvStateCollection] {
		t.Errorf("the sender's environment: want %s (off) and no collection, got %v", config.EnvState, keys)
	}
}

func srcOf(t *testing.T, name string) []byte {
	t.Helper()
	srcs, _ := tfFiles(t)
	return srcs[name]
}
