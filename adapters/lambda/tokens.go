package lambdaadapter

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// EnvTokenSecret names the Secrets Manager secret (ARN or name) that holds
// the bot token.
const EnvTokenSecret = "SOCIOGRAM_BOT_TOKEN_SECRET"

// errNoToken: neither SOCIOGRAM_BOT_TOKEN_SECRET nor SOCIOGRAM_BOT_TOKEN is
// set. It wraps handler.ErrNoToken.
var errNoToken = fmt.Errorf("%w: set %s (the ARN or name of a Secrets Manager secret holding the token) or SOCIOGRAM_BOT_TOKEN",
	handler.ErrNoToken, EnvTokenSecret)

// loadTimeout bounds the cold start's secret read.
const loadTimeout = 5 * time.Second

// LoadTokens fills keys at cold start, as every function of the kit does:
// from the secret named by SOCIOGRAM_BOT_TOKEN_SECRET when it is set (with a
// client on AWSConfig's configuration), returning the verifier that re-reads
// it when a webhook's key stops matching; otherwise keys must already hold
// SOCIOGRAM_BOT_TOKEN's tokens, and the verifier is nil. It fails with
// handler.ErrNoToken when there is no token at all, or with a *SecretError
// when the secret cannot be read.
func LoadTokens(ctx context.Context, getenv func(string) string, keys *handler.Keyring, logger *slog.Logger) (*RefreshingVerifier, error) {
	return loadTokens(ctx, getenv(EnvTokenSecret), keys, logger, newAWSClients(getenv, AWSConfig).secretsManager)
}

// loadTokens is LoadTokens for the secret secretID ("" for none), whose
// Secrets Manager client comes from secrets, called only when there is a
// secret to read.
func loadTokens(ctx context.Context, secretID string, keys *handler.Keyring, logger *slog.Logger,
	secrets func() (SecretsManagerAPI, error)) (*RefreshingVerifier, error) {
	if secretID == "" {
		if keys.Len() == 0 {
			return nil, errNoToken
		}
		return nil, nil
	}
	client, err := secrets()
	if err != nil {
		return nil, fmt.Errorf("%s=%s: %w", EnvTokenSecret, secretID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	v := NewRefreshingVerifier(keys, SecretTokens(client, secretID), WithRefreshLogger(logger))
	if err := v.Load(ctx); err != nil {
		return nil, err
	}
	return v, nil
}
