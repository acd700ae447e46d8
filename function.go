// Package function is the Google Cloud Functions entry point of the bot of
// package bot.
//
// The Cloud Functions Go buildpack builds the Go package at the root of the
// uploaded source: it moves the upload into a folder, generates a main that
// blank-imports this package and starts functions-framework-go, and serves
// the function named by FUNCTION_TARGET. This init is therefore the
// deployment's main: it registers the bot as "Webhook" and the reply queue's
// sender as "Sender" (see gcfadapter.RegisterFunctions for the environment).
// Without a token it logs an ERROR line naming SOCIOGRAM_BOT_TOKEN and every
// webhook is answered 500.
//
// The package is named function, not after a folder of the module: the
// buildpack imports MODULE/NAME instead of MODULE when a folder NAME exists
// at the root.
package function

import (
	"os"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/bot"
)

func init() { gcfadapter.RegisterFunctions(os.Getenv, os.Stderr, bot.Register) }
