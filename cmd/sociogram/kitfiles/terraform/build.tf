# The function's build (Cloud Build, run by Cloud Functions) runs as a
# service account of its own, with only what building needs, instead of the
# project's default compute or Cloud Build account: organisations that are
# secure by default strip those of their roles or disable them, and this
# configuration never needs compute.googleapis.com.
#
# What a build needs (Google's "Custom service account for Cloud Build" for
# Cloud Run functions): write its logs (roles/logging.logWriter, which only
# exists project-wide); push the image (roles/artifactregistry.writer, here
# on the repository below only); read the source (roles/storage.objectViewer).
# Cloud Functions copies the uploaded archive into its own bucket,
# gcf-v2-sources-<project number>-<region>, and the build fetches it from
# there, so the read is granted on that bucket and the upload bucket only, by
# an IAM condition: the first bucket is created by Cloud Functions on the
# first deploy and cannot be named as a resource before it.
resource "google_service_account" "build" {
  account_id   = "${var.function_name}-build"
  display_name = "Sociogram bot ${var.function_name} (Cloud Functions build)"

  depends_on = [time_sleep.apis]
}

# The functions' images, in a repository of their own (build_config.
# docker_repository) rather than the shared gcf-artifacts one Cloud Functions
# would create: the build account can push here and nowhere else, and
# terraform destroy removes the images too.
resource "google_artifact_registry_repository" "functions" {
  location      = var.region
  repository_id = "${var.function_name}-functions"
  format        = "DOCKER"
  description   = "Images of the Sociogram bot ${var.function_name}'s Cloud Functions, pushed by their builds."

  depends_on = [time_sleep.apis]
}

resource "google_artifact_registry_repository_iam_member" "build" {
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.build.email}"
}

resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.build.email}"
}

locals {
  # The buckets a build reads the source from (see above).
  build_source_buckets = [
    "gcf-v2-sources-${data.google_project.this.number}-${var.region}",
    google_storage_bucket.source.name,
  ]
}

resource "google_project_iam_member" "build_source" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.build.email}"

  condition {
    title      = "${var.function_name}-build-source"
    expression = join(" || ", [for b in local.build_source_buckets : "resource.name == \"projects/_/buckets/${b}\" || resource.name.startsWith(\"projects/_/buckets/${b}/objects/\")"])
  }
}

# New IAM grants take a while to be seen everywhere; a build started at once
# can be refused the source (the google provider's own example waits the
# same way). Waits again whenever a grant is replaced.
resource "time_sleep" "build_iam" {
  create_duration = "60s"
  triggers = {
    grants = join(",", [
      google_project_iam_member.build_logs.id,
      google_project_iam_member.build_source.id,
      google_artifact_registry_repository_iam_member.build.id,
    ])
  }
}
