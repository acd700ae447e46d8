output "webhook_url" {
  description = "The URL to enter as the bot's webhook in the Sociogram Developer Portal."
  value       = google_cloudfunctions2_function.bot.url
}

output "token_secret" {
  description = "The Secret Manager secret holding the bot token (add a version to rotate)."
  value       = local.token_secret_id
}

output "service_account" {
  description = "The function's runtime service account."
  value       = google_service_account.runtime.email
}

output "build_service_account" {
  description = "The service account the functions' builds run as (build.tf)."
  value       = google_service_account.build.email
}

output "state_database" {
  description = "The Firestore database and collection of the bot's per-user state."
  value       = "${local.firestore_database}/${var.state_collection}"
}

output "reply_topic" {
  description = "With queue_replies: the topic the webhook publishes replies to."
  value       = one(google_pubsub_topic.replies[*].id)
}

output "reply_dead_letter_subscription" {
  description = "With queue_replies: replies that failed 5 times; replay them with the kit's replay-dlq command: `replay-dlq -pubsub-dlq <this> -pubsub-topic <reply_topic>` (`go tool replay-dlq` in a bot project)."
  value       = one(google_pubsub_subscription.dead_letter[*].id)
}
