// Command webhook is adapters/http/cmd/webhook with a counted exit for
// callgrind (see package bench/kitexit).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/bench/internal/benchexit"
	"github.com/sociogram-kit/kit/bot"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	benchexit.Go(func() {
		if err := httpadapter.Run(ctx, os.Getenv, os.Stderr, bot.Register); err != nil {
			fmt.Fprintln(os.Stderr, "webhook:", err)
			os.Exit(1)
		}
	})
}
