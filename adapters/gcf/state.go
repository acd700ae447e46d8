package gcfadapter

import (
	"fmt"
	"log/slog"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/firestorestore"
)

// stateOptions returns the options that keep the bot's per-user state
// (handler.NewState) in the Firestore (native mode) collection
// SOCIOGRAM_STATE_COLLECTION of the database SOCIOGRAM_STATE_DATABASE in the
// project GOOGLE_CLOUD_PROJECT, all three set by the Terraform. The store
// speaks Firestore's REST API (no gRPC); it finds its credentials as
// Google's clients do (the runtime's service account on Cloud Functions)
// on its first call, at the first turn that uses state, and talks plain
// http to the emulator at FIRESTORE_EMULATOR_HOST when that is set.
//
// A bot that declares no state (handler.StatesDeclared) gets no store.
// SOCIOGRAM_STATE=off, or no collection, leaves a stateful bot without a
// store: its handlers that use state fail (500), and a WARN line at start
// says why when the collection was simply not given. The embedded file and
// memory are refused: instances of a function each have their own disk and
// memory, and several run at once.
func stateOptions(c config.StateConfig, getenv func(string) string, logger *slog.Logger) ([]handler.Option, error) {
	if !handler.StatesDeclared() {
		return nil, nil
	}
	switch c.Store {
	case config.StateFirestore:
		project := getenv(EnvProject)
		if project == "" {
			return nil, fmt.Errorf("%s=%s needs %s, the project of the Firestore database (the Terraform sets it)",
				config.EnvStateCollection, c.Collection, EnvProject)
		}
		var opts []firestorestore.Option
		if host := getenv(firestorestore.EnvEmulatorHost); host != "" {
			opts = append(opts, firestorestore.WithEmulator(host))
		}
		store, err := firestorestore.New(project, c.Database, c.Collection, opts...)
		if err != nil {
			return nil, fmt.Errorf("the Firestore database %q of project %s (%s, %s): %w", c.Database, project, config.EnvStateDatabase, EnvProject, err)
		}
		logger.Debug("state", "store", config.StateFirestore, "database", c.Database, "collection", c.Collection, "ttl", c.TTL.String(),
			"emulator", getenv(firestorestore.EnvEmulatorHost))
		return []handler.Option{handler.WithStore(store), handler.WithStateTTL(c.TTL)}, nil
	case "":
		logger.Warn("the bot declares per-user state but " + config.EnvStateCollection +
			" is not set: every handler that uses state fails (500); the Terraform sets it")
		return nil, nil
	case config.StateOff:
		return nil, nil
	case config.StateFile, config.StateMemory:
		return nil, fmt.Errorf("%s=%s: a function runs as several instances, each with its own disk and memory, "+
			"so a user's state would depend on the instance: keep it in Firestore (set %s, as the Terraform does)",
			config.EnvState, c.Store, config.EnvStateCollection)
	default:
		return nil, fmt.Errorf("%s=%s: the Cloud Functions adapter keeps state in Firestore: set %s (as the Terraform does)",
			config.EnvState, c.Store, config.EnvStateCollection)
	}
}
