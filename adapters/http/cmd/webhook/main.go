// Command webhook serves the bot of package bot over plain HTTP: bin/webhook,
// what `make run` starts. See httpadapter.Run for its environment.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/bot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := httpadapter.Run(ctx, os.Getenv, os.Stderr, bot.Register); err != nil {
		fmt.Fprintln(os.Stderr, "webhook:", err)
		os.Exit(1)
	}
}
