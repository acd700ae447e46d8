// Command sender sends the bot's queued replies on AWS Lambda
// (provided.al2023): template.yaml's SenderFunction (QueueReplies=on). See
// lambdaadapter.SenderFunction for its environment.
//
// Build: make build-lambda, or make build-SenderFunction as sam build does.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
)

func main() {
	h, logger, err := lambdaadapter.SenderFunction(context.Background(), os.Getenv, os.Stdout)
	if err != nil {
		logger.Error("cannot start: "+err.Error(), "error", err)
		os.Exit(1)
	}
	slog.SetDefault(logger)
	lambda.Start(h)
}
