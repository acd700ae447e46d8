// Command bootstrap runs the bot of package bot on AWS Lambda
// (provided.al2023), behind an API Gateway REST or HTTP API or a Function
// URL: template.yaml's WebhookFunction. See lambdaadapter.WebhookFunction for its
// environment.
//
// Build: make build-lambda, or make build-WebhookFunction as sam build does.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/bot"
)

func main() {
	h, logger, err := lambdaadapter.WebhookFunction(context.Background(), os.Getenv, os.Stdout, bot.Register)
	if err != nil {
		logger.Error("cannot start: "+err.Error(), "error", err)
		os.Exit(1)
	}
	slog.SetDefault(logger)
	lambda.Start(h)
}
