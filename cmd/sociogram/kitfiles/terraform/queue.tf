# The paced, durable reply queue (var.queue_replies = true). The webhook
# publishes each reply to the replies topic (ordering key = the user's uid)
# and answers; Pub/Sub pushes the replies, in order per user (one push per
# user outstanding at a time), to a second function, Sender, from the same
# source. Sender runs at most one instance, so its pacer (replyqueue.Pacer)
# is the bot's pace: never more than 60 a minute nor two a second to one
# user, restarts included. The instance takes up to 80 pushes at once (which
# needs a whole vCPU): it holds a push whose user must wait for a slot (up to
# 30 s, pubsubqueue.DefaultHold) while it sends the other users' pushes, so
# one user's flood does not hold up the others, who take the slots the pacer
# keeps for quiet users. A held push answers 429 after the hold (Pub/Sub
# pushes it again after the backoff), as does a push beyond the 80 (Cloud
# Run turns it away). A reply that fails is retried with backoff, and after
# 100 attempts (Pub/Sub's maximum) moves to the dead-letter topic, whose
# subscription keeps it for the replay command (cmd/replay-dlq). Not fewer:
# during a burst of many users a reply can use up a handful of attempts
# while merely waiting its turn (about 5 each when 300 users write at once).
#
# Why Pub/Sub rather than Cloud Tasks: Cloud Tasks paces dispatches natively
# and deduplicates task names, but it does not keep order (retries and
# parallel dispatch reorder a user's replies) and has no dead-letter queue;
# Pub/Sub ordering keys keep each user's replies in order, and the sender's
# own pacing, with one instance, gives the bot-wide pace.

resource "google_pubsub_topic" "replies" {
  count = var.queue_replies ? 1 : 0
  name  = "${var.function_name}-replies"
  # A reply a day late is no longer worth sending.
  message_retention_duration = "86400s"

  depends_on = [time_sleep.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  count = var.queue_replies ? 1 : 0
  name  = "${var.function_name}-replies-dead-letter"

  depends_on = [time_sleep.apis]
}

# Keeps dead-lettered replies (7 days) until they are replayed.
resource "google_pubsub_subscription" "dead_letter" {
  count                      = var.queue_replies ? 1 : 0
  name                       = "${var.function_name}-replies-dead-letter"
  topic                      = google_pubsub_topic.dead_letter[0].id
  message_retention_duration = "604800s"
  ack_deadline_seconds       = 60
  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "replies" {
  count                   = var.queue_replies ? 1 : 0
  name                    = "${var.function_name}-replies-push"
  topic                   = google_pubsub_topic.replies[0].id
  enable_message_ordering = true
  # The sender holds a push up to 30 s for its slot, then sends (with
  # retries), well within the deadline.
  ack_deadline_seconds       = 60
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.sender[0].url
    oidc_token {
      service_account_email = google_service_account.push[0].email
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[0].id
    max_delivery_attempts = 100
  }

  expiration_policy {
    ttl = ""
  }
}

# The sender: same source and runtime account as the webhook, entry point
# Sender, one instance taking up to 80 pushes at once.
resource "google_cloudfunctions2_function" "sender" {
  count    = var.queue_replies ? 1 : 0
  name     = "${var.function_name}-sender"
  location = var.region

  build_config {
    runtime           = "go126"
    entry_point       = "Sender"
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
    available_memory = "256M"
    # More than one request at a time needs a whole vCPU.
    available_cpu                    = "1"
    min_instance_count               = 0
    max_instance_count               = 1
    max_instance_request_concurrency = 80
    timeout_seconds                  = 60
    ingress_settings                 = "ALLOW_ALL"
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.runtime.email

    environment_variables = {
      SOCIOGRAM_API_URL    = var.api_url
      LOG_LEVEL            = var.log_level
      GOOGLE_CLOUD_PROJECT = var.project_id
      # It registers the webhook too (never called here): no state store.
      SOCIOGRAM_STATE = "off"
    }

    secret_environment_variables {
      key        = "SOCIOGRAM_BOT_TOKEN"
      project_id = var.project_id
      secret     = local.token_secret_id
      version    = local.token_secret_version
    }
  }

  depends_on = [time_sleep.apis, time_sleep.build_iam, google_secret_manager_secret_iam_member.runtime]
}

# Pub/Sub pushes as this account; only it may invoke the sender (no public
# access: the push's OIDC token is checked by Cloud Run).
resource "google_service_account" "push" {
  count        = var.queue_replies ? 1 : 0
  account_id   = "${var.function_name}-push"
  display_name = "Sociogram bot ${var.function_name} (Pub/Sub push to the sender)"

  depends_on = [time_sleep.apis]
}

resource "google_cloud_run_service_iam_member" "push" {
  count    = var.queue_replies ? 1 : 0
  location = google_cloudfunctions2_function.sender[0].location
  service  = google_cloudfunctions2_function.sender[0].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push[0].email}"
}

# IAM on the queue's own topics and subscription, never project-wide: the
# webhook's runtime account publishes replies to the replies topic only.
resource "google_pubsub_topic_iam_member" "publish" {
  count  = var.queue_replies ? 1 : 0
  topic  = google_pubsub_topic.replies[0].id
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.runtime.email}"
}

# Pub/Sub's own service agent moves a failed reply to the dead-letter topic:
# it must publish to that topic and acknowledge on the replies subscription,
# and nothing else.
locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic_iam_member" "dead_letter" {
  count  = var.queue_replies ? 1 : 0
  topic  = google_pubsub_topic.dead_letter[0].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter" {
  count        = var.queue_replies ? 1 : 0
  subscription = google_pubsub_subscription.replies[0].id
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
