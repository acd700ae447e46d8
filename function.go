// Package function is the Google Cloud Functions entry point of the kit.
//
// The Cloud Functions Go buildpack builds the Go package at the root of the
// uploaded source: it moves the upload into a folder, generates a main that
// blank-imports this package and starts functions-framework-go, and serves
// the function named by FUNCTION_TARGET. This init is therefore this
// deployment's main: it reads the environment (SOCIOGRAM_BOT_TOKEN from the
// Secret Manager secret, SOCIOGRAM_API_URL, SOCIOGRAM_RATE_LIMIT, LOG_LEVEL,
// GOOGLE_CLOUD_PROJECT, SOCIOGRAM_REPLY_TOPIC) and registers the example bot
// as "Webhook", and the reply queue's sender as "Sender" (built at its first
// request, so unused by a webhook function). Without a
// token it logs an ERROR line naming SOCIOGRAM_BOT_TOKEN and every webhook is
// answered 500 (see gcfadapter.FromEnv).
//
// The package is named function, not after a folder of the module: the
// buildpack imports MODULE/NAME instead of MODULE when a folder NAME exists
// at the root.
package function

import (
	"os"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
)

func init() {
	gcfadapter.Register(gcfadapter.EntryPoint, gcfadapter.FromEnv(os.Getenv, os.Stderr))
	gcfadapter.Register(gcfadapter.SenderEntryPoint, gcfadapter.SenderFromEnv(os.Getenv, os.Stderr))
}
