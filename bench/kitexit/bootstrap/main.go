// Command bootstrap is adapters/lambda/cmd/bootstrap with a counted exit for
// callgrind (see package bench/kitexit).
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/bench/internal/benchexit"
	"github.com/sociogram-kit/kit/bot"
)

func main() {
	h, logger, err := lambdaadapter.WebhookFunction(context.Background(), os.Getenv, os.Stdout, bot.Register)
	if err != nil {
		logger.Error("cannot start: "+err.Error(), "error", err)
		os.Exit(1)
	}
	slog.SetDefault(logger)
	benchexit.Go(func() { lambda.Start(h) })
}
