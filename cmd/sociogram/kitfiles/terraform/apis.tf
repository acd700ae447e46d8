locals {
  apis = setunion([
    "artifactregistry.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    # data.google_project (the project number, for Google's service agents
    # and the Cloud Functions source bucket).
    "cloudresourcemanager.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ], var.queue_replies ? ["pubsub.googleapis.com"] : [])
}

resource "google_project_service" "apis" {
  for_each           = local.apis
  service            = each.value
  disable_on_destroy = false
}

# An API answers "not enabled" (or its service agent does not exist yet) for
# a while after it has been enabled, so a first apply that creates resources
# at once fails half way and needs a rerun. Everything that uses an API
# depends on this wait, never on google_project_service directly (a test
# checks it). It waits again when the set of APIs changes (queue_replies on
# adds Pub/Sub), and costs nothing once they are on.
#
# time_sleep is the hashicorp/time provider's (versions.tf), whose schema is
# not available offline: this block and time_sleep.build_iam (build.tf) are
# the only ones the provider-schema check does not cover; their arguments
# (create_duration, triggers) are asserted by adapters/gcf's tests.
resource "time_sleep" "apis" {
  create_duration = "60s"
  triggers = {
    apis = join(",", sort([for s in google_project_service.apis : s.service]))
  }
}

# The project number: Google's service agents and the Cloud Functions source
# bucket are named after it.
data "google_project" "this" {
  project_id = var.project_id

  depends_on = [time_sleep.apis]
}
