# Every google_* block here is wrong in one way; check_test.go lists how.
resource "google_storage_bucket" "unknown_arg" {
  name      = "b"
  location  = "US"
  colour    = "blue"
  self_link = "x"
}

resource "google_storage_bucket" "missing_required" {
  name = "b"
}

resource "google_storage_bucket" "wrong_types" {
  name          = "b"
  location      = "US"
  force_destroy = "maybe"
  labels        = ["a", "b"]
}

resource "google_cloudfunctions2_function" "nested" {
  name     = "f"
  location = "us-central1"

  build_config {
    runtime    = "go126"
    entrypoint = "Webhook"
  }

  build_config {
    runtime = "go126"
  }

  service_config {
    timeout_seconds = "soon"
    secret_environment_variables {
      key     = "SOCIOGRAM_BOT_TOKEN"
      secret  = "s"
      version = "latest"
    }
    vpc_network {
    }
  }
}

resource "google_secret_manager_secret" "no_replication" {
  secret_id = "s"
}

resource "google_nonexistent_thing" "x" {
}

data "google_project" "p" {
  number = 1
}

resource "google_storage_bucket_object" "refs" {
  name   = "o"
  bucket = google_storage_bucket.nowhere.name
  source = google_storage_bucket.unknown_arg.no_such_attribute
}
