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
