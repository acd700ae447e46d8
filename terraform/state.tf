# Per-user state (handler.NewState) in Firestore, native mode
# (store/firestorestore; its doc.go is the document contract). By default a
# database of its own, named after the function, so a project's "(default)"
# database and its data are never touched; set firestore_database to use
# another, and create_firestore_database = false when it exists already.
locals {
  firestore_database = coalesce(var.firestore_database, "${var.function_name}-state")
}

resource "google_firestore_database" "state" {
  count       = var.create_firestore_database ? 1 : 0
  project     = var.project_id
  name        = local.firestore_database
  location_id = coalesce(var.firestore_location, var.region)
  type        = "FIRESTORE_NATIVE"
  # terraform destroy leaves the database and the users' state in place.
  deletion_policy = "ABANDON"

  depends_on = [time_sleep.apis]
}

# The TTL policy: Firestore deletes a state document once its expires
# timestamp has passed (lazily, typically within a day; the kit checks expiry
# on read too). index_config {} exempts the field from indexing, as Google
# advises for TTL fields: it is never queried.
resource "google_firestore_field" "state_expires" {
  project    = var.project_id
  database   = local.firestore_database
  collection = var.state_collection
  field      = "expires"

  ttl_config {}
  index_config {}

  depends_on = [google_firestore_database.state]
}

# The state bytes (up to 1 MiB) are never queried: no index on them. After
# the TTL field: two field operations at once on a new database can fail.
resource "google_firestore_field" "state_data" {
  project    = var.project_id
  database   = local.firestore_database
  collection = var.state_collection
  field      = "data"

  index_config {}

  depends_on = [google_firestore_field.state_expires]
}

# The runtime reads and writes documents, in this database only: the IAM
# condition limits the role to it (Firestore checks its permissions against
# the database's resource name). The reply queue's sender shares the account
# but keeps no state (SOCIOGRAM_STATE = "off").
resource "google_project_iam_member" "state" {
  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.runtime.email}"

  condition {
    title      = "${var.function_name}-state-only"
    expression = "resource.name == \"projects/${var.project_id}/databases/${local.firestore_database}\""
  }
}
