// Command emulator is a local stand-in for the Sociogram platform, for one
// bot: a chat page that sends webhooks to the bot, and the Bot API the bot
// replies through: bin/emulator. `sociogram emulator` is the same command,
// and `sociogram dev` (what `make run` runs) runs it in process beside the
// bot.
//
// Environment: SOCIOGRAM_BOT_TOKEN (required: the token webhooks carry and
// API calls must carry), EMULATOR_ADDR (default 127.0.0.1:8090), BOT_URL
// (where webhooks go, default http://127.0.0.1:8080/webhook; the page can
// change it). Point the bot at the emulator with
// SOCIOGRAM_API_URL=http://<EMULATOR_ADDR>.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/sociogram-kit/kit/internal/devcmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := devcmd.Emulator(ctx, "emulator", os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
