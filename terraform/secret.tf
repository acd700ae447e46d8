# The bot token, as SOCIOGRAM_BOT_TOKEN from Secret Manager: created here
# from var.bot_token, or an existing secret named by var.bot_token_secret_id.
resource "google_secret_manager_secret" "token" {
  count     = var.bot_token_secret_id == null ? 1 : 0
  secret_id = "${var.function_name}-token"

  replication {
    auto {}
  }

  depends_on = [time_sleep.apis]
}

resource "google_secret_manager_secret_version" "token" {
  count       = var.bot_token_secret_id == null ? 1 : 0
  secret      = google_secret_manager_secret.token[0].id
  secret_data = var.bot_token
}

locals {
  token_secret_id = coalesce(var.bot_token_secret_id, one(google_secret_manager_secret.token[*].secret_id))
  # A secret created here is pinned to its newest version, so a new token
  # (a new version) redeploys the function.
  token_secret_version = var.bot_token_secret_id == null ? one(google_secret_manager_secret_version.token[*].version) : var.bot_token_secret_version
}

# The function runs as its own service account, which can read this one
# secret and nothing else.
resource "google_service_account" "runtime" {
  account_id   = "${var.function_name}-runtime"
  display_name = "Sociogram bot ${var.function_name} (Cloud Functions runtime)"

  depends_on = [time_sleep.apis]
}

resource "google_secret_manager_secret_iam_member" "runtime" {
  secret_id = local.token_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.runtime.email}"
}
