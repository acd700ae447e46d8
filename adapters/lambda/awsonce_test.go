package lambdaadapter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// countingAWS stands in for AWSConfig: it builds the same configuration and
// counts how often it is asked to, and how often the configuration's
// credentials are resolved. A configuration holds one credentials cache, so
// clients sharing one resolve them once; clients on configurations of their
// own would resolve them once each.
type countingAWS struct{ loads, resolutions atomic.Int64 }

func (c *countingAWS) load(getenv func(string) string) (aws.Config, error) {
	c.loads.Add(1)
	cfg, err := lambdaadapter.AWSConfig(getenv)
	if err != nil {
		return cfg, err
	}
	inner := cfg.Credentials
	cfg.Credentials = aws.NewCredentialsCache(aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		c.resolutions.Add(1)
		return inner.Retrieve(ctx)
	}))
	return cfg, nil
}

// TestAWSConfigBuiltOnceAtColdStart: a cold start builds the AWS
// configuration once when it uses one or more AWS services (the token's
// secret, the state's table, the reply queue), never when it uses none, and
// makes no network call for the table or the queue (nothing listens at the
// endpoint).
func TestAWSConfigBuiltOnceAtColdStart(t *testing.T) {
	awsEnv := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:1"} // nothing listens: a call would fail
	const queue = "https://sqs.us-east-1.amazonaws.com/123456789012/replies.fifo"
	cases := []struct {
		name      string
		sender    bool
		env       map[string]string
		wantLoads int64
	}{
		{name: "token from the environment, no state", env: map[string]string{config.EnvState: "off"}, wantLoads: 0},
		{name: "state table", env: map[string]string{config.EnvStateTable: "bot-state"}, wantLoads: 1},
		{name: "reply queue", env: map[string]string{config.EnvState: "off", config.EnvReplyQueueURL: queue}, wantLoads: 1},
		{name: "state table and reply queue", env: map[string]string{config.EnvStateTable: "bot-state", config.EnvReplyQueueURL: queue}, wantLoads: 1},
		{name: "sender", sender: true, env: map[string]string{config.EnvReplyQueueURL: queue}, wantLoads: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{config.EnvToken: conformance.Token}
			for _, m := range []map[string]string{awsEnv, c.env} {
				for k, v := range m {
					env[k] = v
				}
			}
			getenv := func(k string) string { return env[k] }
			counter := &countingAWS{}
			var (
				h   any
				out bytes.Buffer
				err error
			)
			if c.sender {
				h, _, err = lambdaadapter.SenderFunctionWithAWS(context.Background(), getenv, &out, counter.load)
			} else {
				h, _, err = lambdaadapter.WebhookFunctionWithAWS(context.Background(), getenv, &out, fixture.Register, counter.load)
			}
			if err != nil || h == nil {
				t.Fatalf("cold start: %v\n%s", err, out.String())
			}
			if got := counter.loads.Load(); got != c.wantLoads {
				t.Errorf("the AWS configuration was built %d times, want %d", got, c.wantLoads)
			}
			if got := counter.resolutions.Load(); got != 0 {
				t.Errorf("credentials resolved %d times at cold start, want none (no AWS call)", got)
			}
		})
	}
}

// TestAWSConfigSharedAcrossServices runs both functions with every AWS
// service they use, against moto: the webhook reads its token from Secrets
// Manager, keeps /count's state in DynamoDB and queues the reply in SQS; the
// sender reads the token, sends the queued reply and deletes it. Each cold
// start builds one configuration, and its credentials are resolved once for
// all those calls (one per client before the configuration was shared).
func TestAWSConfigSharedAcrossServices(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	ctx := context.Background()
	if _, err := secretsClient(t, motoURL, nil).CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("sociogram/bot-token"), SecretString: aws.String(conformance.Token),
	}); err != nil {
		t.Fatal(err)
	}
	db, table := stateTable(t, motoURL)
	sqsc := sqsClient(motoURL)
	url, arn := replyQueues(t, sqsc)
	fake := sociogramtest.NewAPI(conformance.Token, nil)
	api := httptest.NewServer(fake)
	defer api.Close()
	env := map[string]string{
		lambdaadapter.EnvTokenSecret: "sociogram/bot-token", config.EnvAPIURL: api.URL, config.EnvRateLimit: "off",
		config.EnvStateTable: table, config.EnvReplyQueueURL: url,
		"AWS_ENDPOINT_URL": motoURL, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
	}
	getenv := func(k string) string { return env[k] }
	check := func(name string, c *countingAWS) {
		t.Helper()
		if got := c.loads.Load(); got != 1 {
			t.Errorf("%s: the AWS configuration was built %d times, want once", name, got)
		}
		if got := c.resolutions.Load(); got != 1 {
			t.Errorf("%s: credentials resolved %d times, want once (one configuration, one cache)", name, got)
		}
	}

	webhookAWS := &countingAWS{}
	var logs bytes.Buffer
	webhook, _, err := lambdaadapter.WebhookFunctionWithAWS(ctx, getenv, &logs, fixture.Register, webhookAWS.load)
	if err != nil {
		t.Fatalf("webhook cold start: %v\n%s", err, logs.String())
	}
	out, err := webhook.Invoke(invocationContext(t, "webhook-1"), buildEvent(t, lambdaadapter.SourceHTTPAPI, conformance.Count(), false))
	if err != nil {
		t.Fatal(err)
	}
	if r := decodeResponse(t, lambdaadapter.SourceHTTPAPI, out); r.Status != http.StatusOK {
		t.Fatalf("/count: status %d %q, want 200\n%s", r.Status, r.Body, logs.String())
	}
	if item, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table)}); err != nil || item.Count != 1 {
		t.Errorf("state table: %v items (%v), want the user's one", item, err)
	}
	msgs := receiveAll(t, sqsc, url, 1)
	check("webhook (Secrets Manager, DynamoDB, SQS)", webhookAWS)

	senderAWS := &countingAWS{}
	sender, _, err := lambdaadapter.SenderFunctionWithAWS(ctx, getenv, &logs, senderAWS.load)
	if err != nil {
		t.Fatalf("sender cold start: %v\n%s", err, logs.String())
	}
	out, err = sender.Invoke(invocationContext(t, "sender-1"), sqsEvent(t, arn, msgs))
	if err != nil {
		t.Fatal(err)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("sender answered %s (%v), want no failures", out, err)
	}
	checkSent(t, fake, []string{conformance.ReplyCount(1)})
	if v, f := queueCounts(t, sqsc, url); v != "0" || f != "0" {
		t.Errorf("queue holds %s visible, %s in flight after the send; want empty", v, f)
	}
	check("sender (Secrets Manager, SQS)", senderAWS)
	if strings.Contains(logs.String(), conformance.Token) {
		t.Error("the token appears in the functions' logs")
	}
}

// TestNoAWSCredentialsNamesTheNeed: without AWS credentials, the cold start
// fails naming the variable that needed AWS (the secret, the table, the
// queue), wrapping ErrNoAWSCredentials.
func TestNoAWSCredentialsNamesTheNeed(t *testing.T) {
	const queue = "https://sqs.us-east-1.amazonaws.com/123456789012/replies.fifo"
	cases := []struct {
		name   string
		sender bool
		env    map[string]string
		want   string
	}{
		{name: "secret", env: map[string]string{lambdaadapter.EnvTokenSecret: "bot-token", config.EnvState: "off"}, want: lambdaadapter.EnvTokenSecret + "=bot-token"},
		{name: "table", env: map[string]string{config.EnvToken: "t", config.EnvStateTable: "bot-state"}, want: config.EnvStateTable + "=bot-state"},
		{name: "queue", env: map[string]string{config.EnvToken: "t", config.EnvState: "off", config.EnvReplyQueueURL: queue}, want: config.EnvReplyQueueURL + "=" + queue},
		{name: "sender", sender: true, env: map[string]string{config.EnvToken: "t", config.EnvReplyQueueURL: queue}, want: config.EnvReplyQueueURL + "=" + queue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			getenv := func(k string) string { return c.env[k] }
			var err error
			if c.sender {
				_, _, err = lambdaadapter.SenderFunction(context.Background(), getenv, io.Discard)
			} else {
				_, _, err = lambdaadapter.WebhookFunction(context.Background(), getenv, io.Discard, fixture.Register)
			}
			if !errors.Is(err, lambdaadapter.ErrNoAWSCredentials) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("cold start error %v, want ErrNoAWSCredentials naming %s", err, c.want)
			}
		})
	}
}
