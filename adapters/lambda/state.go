package lambdaadapter

import (
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/dynamostore"
)

// stateOptions returns the options that keep the bot's per-user state
// (handler.NewState) in the DynamoDB table SOCIOGRAM_STATE_TABLE (which
// template.yaml creates and sets), reached with the client dynamoDB makes
// (on the cold start's one AWS configuration). It makes no network call: the
// first turn that uses state does.
//
// A bot that declares no state (handler.StatesDeclared) gets no store, table
// or not. SOCIOGRAM_STATE=off, or no table, leaves a stateful bot without a
// store: its handlers that use state fail (500), and a WARN line at cold
// start says why when the table was simply not given. The embedded file and
// memory are refused: each Lambda instance has its own disk and memory, and
// several run at once, so a user's state would depend on the instance a
// webhook lands on.
func stateOptions(c config.StateConfig, dynamoDB func() (*dynamodb.Client, error), logger *slog.Logger) ([]handler.Option, error) {
	if !handler.StatesDeclared() {
		return nil, nil
	}
	switch c.Store {
	case config.StateDynamoDB:
		client, err := dynamoDB()
		if err != nil {
			return nil, fmt.Errorf("%s=%s: %w", config.EnvStateTable, c.Table, err)
		}
		s := dynamostore.New(client, c.Table)
		logger.Debug("state", "store", config.StateDynamoDB, "table", c.Table, "ttl", c.TTL.String())
		return []handler.Option{handler.WithStore(s), handler.WithStateTTL(c.TTL)}, nil
	case "":
		logger.Warn("the bot declares per-user state but " + config.EnvStateTable +
			" is not set: every handler that uses state fails (500); template.yaml sets it to the table it creates")
		return nil, nil
	case config.StateOff:
		return nil, nil
	case config.StateFile, config.StateMemory:
		return nil, fmt.Errorf("%s=%s: a Lambda function runs as several instances, each with its own disk and memory, "+
			"so a user's state would depend on the instance: keep it in DynamoDB (set %s to the table, as template.yaml does)",
			config.EnvState, c.Store, config.EnvStateTable)
	default:
		return nil, fmt.Errorf("%s=%s: the Lambda adapter keeps state in DynamoDB: set %s to the table (as template.yaml does)",
			config.EnvState, c.Store, config.EnvStateTable)
	}
}
