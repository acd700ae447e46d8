package tfschema_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/tfschema"
)

// TestGoogleDerived: the v7.44.0 export lacks these resources; Google adds
// them from the derived file, names them, and says so.
func TestGoogleDerived(t *testing.T) {
	derived := []string{
		"google_artifact_registry_repository", "google_artifact_registry_repository_iam_member",
		"google_firestore_database", "google_firestore_field",
		"google_pubsub_subscription_iam_member", "google_pubsub_topic_iam_member",
	}
	exported := load(t)
	for _, r := range derived {
		if exported.Resources[r] != nil {
			t.Errorf("the v7.44.0 export has %s now: drop it from %s", r, tfschema.DerivedFile)
		}
	}
	s, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Derived, derived) {
		t.Errorf("Derived = %q, want %q", s.Derived, derived)
	}
	if n := s.DerivedNote(); !strings.Contains(n, "google_firestore_field") || !strings.Contains(n, tfschema.DerivedFile) || !strings.Contains(n, "not against the v7.44.0 export") {
		t.Errorf("DerivedNote = %q", n)
	}
	if n := exported.DerivedNote(); n != "" {
		t.Errorf("the export alone has a derived note: %q", n)
	}
	if len(s.Resources) != len(exported.Resources)+len(derived) {
		t.Errorf("%d resources after the merge, want %d", len(s.Resources), len(exported.Resources)+len(derived))
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

// TestDerivedIAMAndRepository checks resource-level IAM members and an
// Artifact Registry repository against the derived schemas: the planted
// mistakes are found, the rest passes.
func TestDerivedIAMAndRepository(t *testing.T) {
	s, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	src := `resource "google_artifact_registry_repository" "ok" {
  location      = "us-central1"
  repository_id = "bot-functions"
  format        = "DOCKER"
}
resource "google_artifact_registry_repository" "bad" {
  location = "us-central1"
  format   = "DOCKER"
  name     = "x"
}
resource "google_artifact_registry_repository_iam_member" "ok" {
  location   = google_artifact_registry_repository.ok.location
  repository = google_artifact_registry_repository.ok.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:b@p.iam.gserviceaccount.com"
}
resource "google_pubsub_topic_iam_member" "ok" {
  topic  = "projects/p/topics/t"
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:r@p.iam.gserviceaccount.com"
  condition {
    title       = "t"
    expression  = "true"
    description = "d"
  }
}
resource "google_pubsub_topic_iam_member" "bad" {
  role   = "roles/pubsub.publisher"
  member = "allUsers"
}
resource "google_pubsub_subscription_iam_member" "ok" {
  subscription = "projects/p/subscriptions/s"
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:r@p.iam.gserviceaccount.com"
}
resource "google_pubsub_subscription_iam_member" "bad" {
  subscription = "projects/p/subscriptions/s"
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:r@p.iam.gserviceaccount.com"
  etag         = "x"
  topic        = "t"
}
`
	problems, err := s.Check("google_", map[string][]byte{"iam.tf": []byte(src)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	want := []string{
		`iam.tf:6: google_artifact_registry_repository.bad: missing required argument "repository_id"`,
		`iam.tf:9: google_artifact_registry_repository.bad: "name" is set by the provider, not an argument`,
		`iam.tf:27: google_pubsub_topic_iam_member.bad: missing required argument "topic"`,
		`iam.tf:40: google_pubsub_subscription_iam_member.bad: "etag" is set by the provider, not an argument`,
		`iam.tf:41: google_pubsub_subscription_iam_member.bad: unknown argument "topic"`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got %q\nwant %q", got, want)
	}
}
