variable "project_id" {
  description = "The Google Cloud project to deploy to."
  type        = string
}

variable "region" {
  description = "The region of the function and its source bucket."
  type        = string
  default     = "us-central1"
}

variable "bot_token" {
  description = "The bot token from the Sociogram Developer Portal (several separated by commas during a rotation, the new one first). Stored in a Secret Manager secret created here; it is also kept, marked sensitive, in the Terraform state. Leave null and set bot_token_secret_id to use a secret you manage."
  type        = string
  default     = null
  sensitive   = true
}

variable "bot_token_secret_id" {
  description = "The id (name) of an existing Secret Manager secret in project_id holding the bot token, instead of bot_token."
  type        = string
  default     = null
}

variable "bot_token_secret_version" {
  description = "The version of bot_token_secret_id the function reads. \"latest\" is resolved when an instance starts; a number pins it, and changing it redeploys."
  type        = string
  default     = "latest"
}

variable "api_url" {
  description = "The Sociogram Bot API base URL (SOCIOGRAM_API_URL)."
  type        = string
  default     = "https://api.sociogram.org"
}

variable "function_name" {
  description = "The function's name; also names its service account and source bucket."
  type        = string
  default     = "sociogram-bot"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}[a-z0-9]$", var.function_name))
    error_message = "function_name: 3 to 22 lower-case letters, digits and dashes, starting with a letter (the service account ids add \"-runtime\", \"-build\")."
  }
}

variable "public_invoker" {
  description = "Grant roles/run.invoker to allUsers on the webhook function, as the platform calls it without credentials (the bot checks X-App-Key). false where an organisation policy of domain restricted sharing refuses allUsers: then make the function public another way (see the README, \"Deploy to Google Cloud\")."
  type        = bool
  default     = true
}

variable "memory" {
  description = "Memory of one instance, e.g. \"256M\"."
  type        = string
  default     = "256M"
}

variable "min_instances" {
  description = "Instances kept warm (0 scales to zero; 1 avoids cold starts at a cost)."
  type        = number
  default     = 0
}

variable "max_instances" {
  description = "The most instances running at once."
  type        = number
  default     = 10
}

variable "timeout_seconds" {
  description = "How long one webhook may run. The bot itself gives up after 10 s."
  type        = number
  default     = 30
}

variable "log_level" {
  description = "LOG_LEVEL: debug, info, warn or error."
  type        = string
  default     = "info"
}

variable "rate_limit" {
  description = "SOCIOGRAM_RATE_LIMIT: on spaces sends to the Bot API's limits, off disables it."
  type        = string
  default     = "on"
}

variable "queue_replies" {
  description = "true: replies go into a Pub/Sub topic (ordered per user) that a second function, Sender, drains at the platform's pace (never more than 60 a minute, shared fairly among the users), with retries and a dead-letter topic; webhooks are answered as soon as their replies are queued. See \"When your bot goes viral\" in the README."
  type        = bool
  default     = false
}

variable "firestore_database" {
  description = "The Firestore (native mode) database of the bot's per-user state (SOCIOGRAM_STATE_DATABASE). null: \"<function_name>-state\", created here."
  type        = string
  default     = null

  validation {
    condition     = var.firestore_database == null || var.firestore_database == "(default)" || can(regex("^[a-z][a-z0-9-]{2,61}[a-z0-9]$", var.firestore_database))
    error_message = "firestore_database: \"(default)\", or 4 to 63 lower-case letters, digits and dashes, starting with a letter."
  }
}

variable "create_firestore_database" {
  description = "Create firestore_database here; false to use an existing database of that name (such as \"(default)\") as it is."
  type        = bool
  default     = true
}

variable "firestore_location" {
  description = "Where a created Firestore database lives: a region such as europe-west1, or a multi-region (nam5, eur3). null: the function's region."
  type        = string
  default     = null
}

variable "state_collection" {
  description = "The Firestore collection of the per-user state documents (SOCIOGRAM_STATE_COLLECTION)."
  type        = string
  default     = "sociogram-state"
}
