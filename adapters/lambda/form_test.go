package lambdaadapter_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture/fixturebot"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/dynamostore"
)

// TestFormEmulator runs the conversation example (examples/form: the
// fixture bootstrap with FIXTURE_BOT=form) under aws-lambda-rie with its
// state in DynamoDB (moto, a table made as template.yaml makes it): the
// scripted order through signed buttons, a failed reply redelivered at two
// steps, /cancel (conformance.RunForm), each step a separate invocation.
// The user's item then holds the placed order.
func TestFormEmulator(t *testing.T) {
	start := time.Now()
	motoURL := testtools.StartMoto(t)
	db, table := stateTable(t, motoURL)
	api := sociogramtest.NewServer(t, conformance.Token)
	e := startEmulator(t, buildBootstrap(t), envList(map[string]string{
		fixturebot.Env:  fixturebot.Form,
		config.EnvToken: conformance.Token, config.EnvAPIURL: api.URL, config.EnvRateLimit: "off",
		config.EnvStateTable: table,
		"AWS_ENDPOINT_URL":   motoURL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
	})...)
	t.Logf("moto, table and emulator ready after %s", time.Since(start).Round(time.Millisecond))

	conformance.RunForm(t, api.API, deliverEmulated(e, lambdaadapter.SourceHTTPAPI, false))

	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{
		TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{dynamostore.AttrKey: &types.AttributeValueMemberS{Value: "12345"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := out.Item[dynamostore.AttrData].(*types.AttributeValueMemberB); data == nil || !bytes.Contains(data.Value, []byte(conformance.FormStored)) {
		t.Errorf("the user's item holds %v, want the order %s", out.Item, conformance.FormStored)
	}
	if o := e.output(); strings.Contains(o, conformance.Token) {
		t.Errorf("the token appears in the function's output:\n%s", o)
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}
