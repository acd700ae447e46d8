# Valid uses of what the checker must accept: meta-arguments, dynamic blocks,
# references, literals that convert (a number given as a string).
resource "google_storage_bucket" "b" {
  count         = 1
  name          = "b-${count.index}"
  location      = "US"
  force_destroy = true
  labels        = { team = "bots" }

  lifecycle_rule {
    action {
      type = "Delete"
    }
    condition {
      age = "30"
    }
  }

  lifecycle {
    prevent_destroy = false
  }
}

resource "google_secret_manager_secret" "s" {
  secret_id = "s"
  replication {
    auto {}
  }
}

resource "google_cloudfunctions2_function" "f" {
  name     = "f"
  location = "us-central1"

  service_config {
    dynamic "secret_environment_variables" {
      for_each = toset(["A", "B"])
      content {
        key        = secret_environment_variables.value
        project_id = "p"
        secret     = google_secret_manager_secret.s.secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [google_storage_bucket.b]
}

data "archive_file" "not_checked" {
  anything = "goes"
}

output "url" {
  value = google_cloudfunctions2_function.f.url
}
