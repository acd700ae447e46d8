package httpadapter

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/filestore"
	"github.com/sociogram-kit/kit/store/memstore"
)

// openState opens the store of the bot's per-user state: by default the
// embedded file SOCIOGRAM_STATE_FILE, so state survives a restart. A bot that
// declares no state (handler.StatesDeclared) gets none (a nil store). The
// returned closer is never nil.
func openState(c config.StateConfig, logger *slog.Logger) ([]handler.Option, handler.Store, io.Closer, error) {
	if !handler.StatesDeclared() {
		return nil, nil, nopCloser{}, nil
	}
	opts := []handler.Option{handler.WithStateTTL(c.TTL)}
	switch c.Store {
	case "", config.StateFile:
		s, err := filestore.Open(c.File)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", config.EnvStateFile, err)
		}
		logger.Info("state", "store", config.StateFile, "path", s.Path())
		return append(opts, handler.WithStore(s)), s, s, nil
	case config.StateMemory:
		logger.Info("state", "store", config.StateMemory, "note", "forgotten when the server stops")
		s := memstore.New()
		return append(opts, handler.WithStore(s)), s, nopCloser{}, nil
	case config.StateOff:
		return nil, nil, nopCloser{}, nil
	default:
		return nil, nil, nil, fmt.Errorf("%s=%s: the plain-HTTP server keeps state in %s or %s", config.EnvState, c.Store, config.StateFile, config.StateMemory)
	}
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }
