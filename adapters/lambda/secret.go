package lambdaadapter

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// TokenSource returns the bot's tokens, the one to send with first.
type TokenSource func(ctx context.Context) ([]string, error)

// SecretsManagerAPI is the part of the Secrets Manager client SecretTokens
// uses; *secretsmanager.Client implements it.
type SecretsManagerAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// ErrEmptySecret is returned for a secret that holds no token.
var ErrEmptySecret = errors.New("lambdaadapter: the secret holds no bot token")

// SecretError reports a secret that could not be read. It names the secret,
// never its value.
type SecretError struct {
	SecretID string
	Err      error
}

func (e *SecretError) Error() string {
	return fmt.Sprintf("lambdaadapter: reading secret %s: %v", e.SecretID, e.Err)
}

func (e *SecretError) Unwrap() error { return e.Err }

// SecretTokens returns a TokenSource reading the current version of the
// secret secretID (its ARN or name). The secret's string holds the token, or
// several separated by commas ("new,old") while a rotation is under way; the
// first is the one replies are sent with.
func SecretTokens(client SecretsManagerAPI, secretID string) TokenSource {
	return func(ctx context.Context) ([]string, error) {
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: &secretID})
		if err != nil {
			return nil, &SecretError{SecretID: secretID, Err: err}
		}
		var tokens []string
		if out.SecretString != nil {
			tokens = splitTokens(*out.SecretString)
		}
		if len(tokens) == 0 {
			return nil, &SecretError{SecretID: secretID, Err: ErrEmptySecret}
		}
		return tokens, nil
	}
}

func splitTokens(s string) []string {
	var tokens []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			tokens = append(tokens, t)
		}
	}
	return tokens
}
