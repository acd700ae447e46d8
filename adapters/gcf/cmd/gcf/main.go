// Command gcf serves the bot through functions-framework-go exactly as Cloud
// Functions does: it blank-imports the module's root package, whose init
// registers the function "Webhook", and starts the framework, like the main
// the buildpack generates, but on HOST (default 127.0.0.1) and PORT (default
// 8080). FUNCTION_TARGET defaults to Webhook, so the function is served at /;
// FUNCTION_TARGET=Sender serves the reply queue's sender instead. Neither
// links the Pub/Sub client library or gRPC (the webhook publishes over
// Pub/Sub's REST API), so this binary is the webhook function as deployed.
//
// Environment: SOCIOGRAM_BOT_TOKEN, SOCIOGRAM_API_URL, SOCIOGRAM_RATE_LIMIT,
// LOG_LEVEL, GOOGLE_CLOUD_PROJECT, SOCIOGRAM_REPLY_TOPIC,
// PUBSUB_EMULATOR_HOST, FUNCTION_TARGET, HOST, PORT. Logs are Cloud
// Logging's structured JSON on stderr.
package main

import (
	"fmt"
	"net"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "github.com/sociogram-kit/kit"
	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/config"
)

func main() {
	if os.Getenv("FUNCTION_TARGET") == "" {
		os.Setenv("FUNCTION_TARGET", gcfadapter.EntryPoint)
	}
	host, port, err := config.Listen(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gcf:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gcf: serving function %s on http://%s/\n", os.Getenv("FUNCTION_TARGET"), net.JoinHostPort(host, port))
	if err := funcframework.StartHostPort(host, port); err != nil {
		fmt.Fprintln(os.Stderr, "gcf:", err)
		os.Exit(1)
	}
}
