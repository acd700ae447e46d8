// Command trigger sends one Sociogram webhook, a chat-message or a
// callback-query carrying the bot token, to any webhook URL (the local bot,
// a deployed Lambda or Cloud Functions URL), prints the status and body, and
// exits 0 on a 2xx answer, 1 on any other answer or a failure, 2 on bad
// usage. Like `stripe trigger`, for Sociogram; `sociogram trigger` is the
// same command.
//
//	SOCIOGRAM_BOT_TOKEN=... trigger -url https://xyz.lambda-url.eu-west-1.on.aws/ -text hello
//	SOCIOGRAM_BOT_TOKEN=... trigger -callback more_info
//
// The token comes from SOCIOGRAM_BOT_TOKEN (or -token, which other users of
// the machine can see in the process list) and is never printed.
package main

import (
	"context"
	"os"

	"github.com/sociogram-kit/kit/internal/devcmd"
)

func main() {
	os.Exit(devcmd.Trigger(context.Background(), "trigger", os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}
