resource "google_cloudfunctions2_function" "bot" {
  name     = var.function_name
  location = var.region

  build_config {
    # go126 matches the go line of go.mod (go 1.26.0).
    runtime     = "go126"
    entry_point = "Webhook"
    # Built by its own service account into its own repository (build.tf).
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = var.memory
    min_instance_count             = var.min_instances
    max_instance_count             = var.max_instances
    timeout_seconds                = var.timeout_seconds
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.runtime.email

    environment_variables = merge({
      SOCIOGRAM_API_URL    = var.api_url
      SOCIOGRAM_RATE_LIMIT = var.rate_limit
      LOG_LEVEL            = var.log_level
      GOOGLE_CLOUD_PROJECT = var.project_id
      # Per-user state, when the bot declares any (see state.tf).
      SOCIOGRAM_STATE_COLLECTION = var.state_collection
      SOCIOGRAM_STATE_DATABASE   = local.firestore_database
      },
      # With the reply queue on, replies are published there (see queue.tf).
      var.queue_replies ? { SOCIOGRAM_REPLY_TOPIC = one(google_pubsub_topic.replies[*].id) } : {},
    )

    secret_environment_variables {
      key        = "SOCIOGRAM_BOT_TOKEN"
      project_id = var.project_id
      secret     = local.token_secret_id
      version    = local.token_secret_version
    }
  }

  lifecycle {
    precondition {
      condition     = (var.bot_token == null) != (var.bot_token_secret_id == null)
      error_message = "Set exactly one of bot_token and bot_token_secret_id."
    }
  }

  depends_on = [
    time_sleep.apis,
    time_sleep.build_iam,
    google_secret_manager_secret_iam_member.runtime,
    google_project_iam_member.state,
    google_firestore_field.state_expires,
    google_pubsub_topic_iam_member.publish,
  ]
}

# Anyone may call the function: the X-App-Key check in the bot is the
# authentication, as the platform sends no other credential. A Cloud
# Functions (2nd gen) function is invoked through its Cloud Run service,
# which has the function's name. An organisation policy of domain restricted
# sharing (iam.allowedPolicyMemberDomains) refuses allUsers: see the README
# ("Deploy to Google Cloud") and var.public_invoker.
resource "google_cloud_run_service_iam_member" "public" {
  count    = var.public_invoker ? 1 : 0
  location = google_cloudfunctions2_function.bot.location
  service  = google_cloudfunctions2_function.bot.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
