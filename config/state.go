package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Per-user state (handler.NewState): where it is kept.
const (
	EnvState           = "SOCIOGRAM_STATE"            // file, memory, dynamodb, firestore or off; default: see State
	EnvStateFile       = "SOCIOGRAM_STATE_FILE"       // file: the embedded database's path
	EnvStateTable      = "SOCIOGRAM_STATE_TABLE"      // dynamodb: the table (template.yaml sets it)
	EnvStateCollection = "SOCIOGRAM_STATE_COLLECTION" // firestore: the collection (the Terraform sets it)
	EnvStateDatabase   = "SOCIOGRAM_STATE_DATABASE"   // firestore: the database id
	EnvStateTTL        = "SOCIOGRAM_STATE_TTL"        // how long a user's state lives after its last change
)

// The stores SOCIOGRAM_STATE names.
const (
	StateFile      = "file"
	StateMemory    = "memory"
	StateDynamoDB  = "dynamodb"
	StateFirestore = "firestore"
	StateOff       = "off"
)

// Defaults of the state variables.
const (
	DefaultStateFile     = ".sociogram/state.db"
	DefaultStateDatabase = "(default)"
	DefaultStateTTL      = handler.DefaultStateTTL
)

// StateConfig says where per-user state is kept. Adapters build the store
// (the plain-HTTP server the embedded file, Lambda DynamoDB, Cloud Functions
// Firestore), so that no adapter links another's database client.
type StateConfig struct {
	// Store is one of StateFile, StateMemory, StateDynamoDB, StateFirestore,
	// StateOff, or "" when SOCIOGRAM_STATE is unset and no table or
	// collection is given: each adapter then picks its default (the
	// plain-HTTP server StateFile, the serverless ones StateOff).
	Store      string
	File       string
	Table      string
	Collection string
	Database   string
	TTL        time.Duration
}

// state reads the state variables.
func (c *Config) state(getenv func(string) string) error {
	s := StateConfig{File: DefaultStateFile, Database: DefaultStateDatabase, TTL: DefaultStateTTL,
		Table: getenv(EnvStateTable), Collection: getenv(EnvStateCollection)}
	if f := getenv(EnvStateFile); f != "" {
		s.File = f
	}
	if d := getenv(EnvStateDatabase); d != "" {
		s.Database = d
	}
	if v := getenv(EnvStateTTL); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s=%q: want a positive duration such as 720h or 30m", EnvStateTTL, v)
		}
		s.TTL = d
	}
	switch v := strings.ToLower(getenv(EnvState)); v {
	case "":
		switch {
		case s.Table != "" && s.Collection != "":
			return fmt.Errorf("set only one of %s and %s, or choose with %s", EnvStateTable, EnvStateCollection, EnvState)
		case s.Table != "":
			s.Store = StateDynamoDB
		case s.Collection != "":
			s.Store = StateFirestore
		}
	case StateFile, StateMemory, StateOff:
		s.Store = v
	case StateDynamoDB:
		if s.Table == "" {
			return fmt.Errorf("%s=dynamodb needs %s, the table's name", EnvState, EnvStateTable)
		}
		s.Store = v
	case StateFirestore:
		if s.Collection == "" {
			return fmt.Errorf("%s=firestore needs %s, the collection's name", EnvState, EnvStateCollection)
		}
		s.Store = v
	default:
		return fmt.Errorf("%s=%q: want file, memory, dynamodb, firestore or off", EnvState, v)
	}
	c.State = s
	return nil
}
