package lambdaadapter

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

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
// from the secret named by SOCIOGRAM_BOT_TOKEN_SECRET when it is set,
// returning the verifier that re-reads it when a webhook's key stops
// matching; otherwise keys must already hold SOCIOGRAM_BOT_TOKEN's tokens,
// and the verifier is nil. It fails with handler.ErrNoToken when there is no token
// at all, or with a *SecretError when the secret cannot be read.
func LoadTokens(ctx context.Context, getenv func(string) string, keys *handler.Keyring, logger *slog.Logger) (*RefreshingVerifier, error) {
	secret := getenv(EnvTokenSecret)
	if secret == "" {
		if keys.Len() == 0 {
			return nil, errNoToken
		}
		return nil, nil
	}
	awsCfg, err := AWSConfig(getenv)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	src := SecretTokens(secretsmanager.NewFromConfig(awsCfg), secret)
	v := NewRefreshingVerifier(keys, src, WithRefreshLogger(logger))
	if err := v.Load(ctx); err != nil {
		return nil, err
	}
	return v, nil
}

// NewLogger is the functions' logger: JSON lines at level, each carrying the
// invocation's request id and marking the cold start (see LogHandler).
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})))
}
