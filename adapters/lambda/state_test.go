package lambdaadapter_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/dynamostore"
)

// TestWebhookState: Webhook (on the fixture bot, which declares state) takes
// its store from the environment, at cold start and without a network call:
// DynamoDB with a table, nothing with none or off; the embedded file and
// memory are refused naming SOCIOGRAM_STATE, and a table without AWS
// credentials names the table's variable.
func TestWebhookState(t *testing.T) {
	awsEnv := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:1"} // nothing listens: a call would fail
	cases := []struct {
		name    string
		env     map[string]string
		aws     bool
		wantErr []string // substrings of the error; none: Webhook succeeds
		wantLog string   // a substring of the cold start's output
	}{
		{name: "table", env: map[string]string{config.EnvStateTable: "bot-state"}, aws: true},
		{name: "dynamodb", env: map[string]string{config.EnvState: "dynamodb", config.EnvStateTable: "bot-state"}, aws: true},
		{name: "no table", env: nil, wantLog: `"level":"WARN"`},
		{name: "off", env: map[string]string{config.EnvState: "off", config.EnvStateTable: "bot-state"}},
		{name: "memory", env: map[string]string{config.EnvState: "memory"}, aws: true, wantErr: []string{config.EnvState + "=memory", config.EnvStateTable}},
		{name: "file", env: map[string]string{config.EnvState: "file"}, aws: true, wantErr: []string{config.EnvState + "=file", config.EnvStateTable}},
		{name: "firestore", env: map[string]string{config.EnvState: "firestore", config.EnvStateCollection: "c"}, aws: true, wantErr: []string{config.EnvState + "=firestore", "DynamoDB"}},
		{name: "table without AWS credentials", env: map[string]string{config.EnvStateTable: "bot-state"}, wantErr: []string{config.EnvStateTable + "=bot-state", "AWS_REGION"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{config.EnvToken: conformance.Token}
			for k, v := range c.env {
				env[k] = v
			}
			if c.aws {
				for k, v := range awsEnv {
					env[k] = v
				}
			}
			var out bytes.Buffer
			h, _, err := lambdaadapter.WebhookFunction(context.Background(), func(k string) string { return env[k] }, &out, fixture.Register)
			switch {
			case len(c.wantErr) == 0 && err != nil:
				t.Fatalf("Webhook: %v", err)
			case len(c.wantErr) == 0 && h == nil:
				t.Fatal("Webhook returned no function")
			case len(c.wantErr) > 0 && err == nil:
				t.Fatalf("Webhook accepted %v", c.env)
			}
			for _, s := range c.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not name %s", err, s)
				}
			}
			if !strings.Contains(out.String(), c.wantLog) {
				t.Errorf("cold start output lacks %s:\n%s", c.wantLog, out.String())
			}
		})
	}
}

// stateTable creates a table as template.yaml does (dynamostore's key, on
// demand, TTL on expires) in moto and returns its name and a client.
func stateTable(t *testing.T, motoURL string) (*dynamodb.Client, string) {
	t.Helper()
	c := dynamodb.NewFromConfig(aws.Config{
		Region: "us-east-1", BaseEndpoint: aws.String(motoURL),
		Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	})
	ctx := context.Background()
	name := "bot-state"
	if _, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		BillingMode:          types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(dynamostore.AttrKey), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(dynamostore.AttrKey), KeyType: types.KeyTypeHash}},
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName: aws.String(name),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{
			AttributeName: aws.String(dynamostore.AttrExpires), Enabled: aws.Bool(true)},
	}); err != nil {
		t.Fatal(err)
	}
	return c, name
}

// TestStateEmulator runs the fixture bot's bootstrap under aws-lambda-rie
// with its state in DynamoDB (moto, a table made as template.yaml makes it):
// /count counts per user across invocations, and a webhook whose reply failed
// and is redelivered counts once (conformance.RunCount). The item then holds
// version and data, and expires one SOCIOGRAM_STATE_TTL after the last write.
func TestStateEmulator(t *testing.T) {
	start := time.Now()
	motoURL := testtools.StartMoto(t)
	db, table := stateTable(t, motoURL)
	api := sociogramtest.NewServer(t, conformance.Token)
	e := startEmulator(t, buildBootstrap(t), envList(map[string]string{
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off", config.EnvLogLevel: "debug",
		config.EnvStateTable: table, config.EnvStateTTL: "1h",
		"AWS_ENDPOINT_URL": motoURL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
	})...)
	t.Logf("moto, table and emulator ready after %s", time.Since(start).Round(time.Millisecond))

	conformance.RunCount(t, api.API, deliverEmulated(e, lambdaadapter.SourceHTTPAPI, false))

	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{dynamostore.AttrKey: &types.AttributeValueMemberS{Value: "12345"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := out.Item[dynamostore.AttrData].(*types.AttributeValueMemberB)
	if data == nil || !bytes.Contains(data.Value, []byte(`"count":{"N":5}`)) {
		t.Errorf("the user's item holds %v, want the counter at 5", out.Item)
	}
	exp, _ := out.Item[dynamostore.AttrExpires].(*types.AttributeValueMemberN)
	if exp == nil {
		t.Fatalf("the user's item has no %s attribute (the table's TTL): %v", dynamostore.AttrExpires, out.Item)
	}
	sec, _ := strconv.ParseInt(exp.Value, 10, 64)
	if d := time.Until(time.Unix(sec, 0)); d < 55*time.Minute || d > time.Hour+time.Minute {
		t.Errorf("the item expires in %s, want about the 1h of %s", d, config.EnvStateTTL)
	}
	if o := e.output(); !strings.Contains(o, `"redelivery":true`) || strings.Contains(o, conformance.Token) {
		t.Errorf("the function's log: want a redelivery turn and no token:\n%s", o)
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}
