package tfschema_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/tfschema"
)

// TestGoogleDerived: the v7.44.0 export has no Firestore resources; Google
// adds them from the derived file, names them, and says so.
func TestGoogleDerived(t *testing.T) {
	firestore := []string{"google_firestore_database", "google_firestore_field"}
	exported := load(t)
	for _, r := range firestore {
		if exported.Resources[r] != nil {
			t.Errorf("the v7.44.0 export has %s now: drop it from %s", r, tfschema.DerivedFile)
		}
	}
	s, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Derived, firestore) {
		t.Errorf("Derived = %q, want %q", s.Derived, firestore)
	}
	if n := s.DerivedNote(); !strings.Contains(n, "google_firestore_field") || !strings.Contains(n, tfschema.DerivedFile) || !strings.Contains(n, "not against the v7.44.0 export") {
		t.Errorf("DerivedNote = %q", n)
	}
	if n := exported.DerivedNote(); n != "" {
		t.Errorf("the export alone has a derived note: %q", n)
	}
	if len(s.Resources) != len(exported.Resources)+len(firestore) {
		t.Errorf("%d resources after the merge, want %d", len(s.Resources), len(exported.Resources)+len(firestore))
	}
}

// TestMergeDerivedNeverOverrides: a derived schema for a type the export has
// is refused.
func TestMergeDerivedNeverOverrides(t *testing.T) {
	s := load(t)
	d := &tfschema.Schema{Resources: map[string]*tfschema.Block{"google_storage_bucket": {}}}
	if err := s.MergeDerived(d); err == nil || !strings.Contains(err.Error(), "google_storage_bucket") {
		t.Errorf("MergeDerived over an exported type: %v", err)
	}
}

// TestDerivedFirestore checks a Firestore configuration against the derived
// schemas: the planted mistakes are found, the rest passes.
func TestDerivedFirestore(t *testing.T) {
	s, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	src := `resource "google_firestore_database" "ok" {
  name        = "bot-state"
  location_id = "eur3"
  type        = "FIRESTORE_NATIVE"
  deletion_policy = "ABANDON"
}
resource "google_firestore_database" "bad" {
  name = "x"
  type = "FIRESTORE_NATIVE"
}
resource "google_firestore_field" "ok" {
  database   = google_firestore_database.ok.name
  collection = "state"
  field      = "expires"
  ttl_config {}
  index_config {}
}
resource "google_firestore_field" "bad" {
  collection = "state"
  field      = "expires"
  ttl_config {
    state = "ACTIVE"
  }
}
`
	problems, err := s.Check("google_", map[string][]byte{"fs.tf": []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		`fs.tf:7: google_firestore_database.bad: missing required argument "location_id"`,
		`fs.tf:22: google_firestore_field.bad.ttl_config: "state" is set by the provider, not an argument`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}
