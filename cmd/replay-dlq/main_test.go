package main_test

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cloud.google.com/go/pubsub/v2"
	"cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/replyqueue/pubsubqueue"
	"github.com/sociogram-kit/kit/replyqueue/queuetest"
)

// Secrets that may be in the environment of whoever runs the command and
// must never appear in its output.
const (
	awsSecret = "aws-secret-key-5be1f0"
	botToken  = "bot-token-never-printed-93ac"
)

// run runs the built command with env added to a bare environment (no AWS
// files, no instance metadata, a bot token present) and returns its output
// and exit status.
func run(t *testing.T, env []string, args ...string) (string, int) {
	t.Helper()
	bin := testtools.Build(t, "./cmd/replay-dlq")
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append([]string{"HOME=" + home, "AWS_CONFIG_FILE=" + filepath.Join(home, "none"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "none"), "AWS_EC2_METADATA_DISABLED=true",
		"SOCIOGRAM_BOT_TOKEN=" + botToken}, env...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{awsSecret, botToken} {
		if strings.Contains(string(out), s) {
			t.Errorf("a secret appears in the output of replay-dlq %q:\n%s", args, out)
		}
	}
	return string(out), code
}

func awsEnv(motoURL string) []string {
	return []string{"AWS_ENDPOINT_URL=" + motoURL, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=" + awsSecret}
}

func sqsClient(motoURL string) *sqs.Client {
	return sqs.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", awsSecret, ""),
		BaseEndpoint: aws.String(motoURL),
	})
}

func createFIFO(t *testing.T, c *sqs.Client, name string) string {
	t.Helper()
	q, err := c.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name),
		Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	return *q.QueueUrl
}

type msg struct{ group, body string }

// receiveAll receives every visible message of the queue at url.
func receiveAll(t *testing.T, c *sqs.Client, url string) []msg {
	t.Helper()
	var got []msg
	for {
		out, err := c.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameMessageGroupId},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			return got
		}
		for _, m := range out.Messages {
			got = append(got, msg{m.Attributes["MessageGroupId"], *m.Body})
		}
	}
}

// byGroup lists each group's bodies in the order received.
func byGroup(ms []msg) map[string][]string {
	g := map[string][]string{}
	for _, m := range ms {
		g[m.group] = append(g[m.group], m.body)
	}
	return g
}

func reply(uid int, text string) string {
	return fmt.Sprintf(`{"uid":%d,"message":{"text":%q}}`, uid, text)
}

// TestReplaySQS: the replies in the dead-letter queue go back to the reply
// queue, each user's in the order first queued, with their group; the
// dead-letter queue is left empty; the command says how many and exits 0;
// run again it moves nothing.
func TestReplaySQS(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	c := sqsClient(motoURL)
	queue, dlq := createFIFO(t, c, "replies.fifo"), createFIFO(t, c, "replies-dlq.fifo")
	dead := []msg{{"7", reply(7, "a")}, {"8", reply(8, "x")}, {"7", reply(7, "b")}, {"7", reply(7, "c")}}
	for i, m := range dead {
		if _, err := c.SendMessage(context.Background(), &sqs.SendMessageInput{QueueUrl: aws.String(dlq),
			MessageBody: aws.String(m.body), MessageGroupId: aws.String(m.group),
			MessageDeduplicationId: aws.String(fmt.Sprint("d", i))}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * time.Millisecond) // distinct SentTimestamps, the order Replay restores
	}

	out, code := run(t, awsEnv(motoURL), "-sqs-dlq", dlq, "-sqs-queue", queue)
	if code != 0 || !strings.Contains(out, "replay-dlq: 4 replies queued again") {
		t.Fatalf("exit %d, output %q; want 0 and the count of 4", code, out)
	}
	got := byGroup(receiveAll(t, c, queue))
	want := byGroup(dead)
	if len(got) != len(want) || !slices.Equal(got["7"], want["7"]) || !slices.Equal(got["8"], want["8"]) {
		t.Errorf("reply queue holds %q, want %q", got, want)
	}
	if left := receiveAll(t, c, dlq); len(left) != 0 {
		t.Errorf("the dead-letter queue still holds %q", left)
	}

	out, code = run(t, awsEnv(motoURL), "-sqs-dlq", dlq, "-sqs-queue", queue)
	if code != 0 || !strings.Contains(out, "replay-dlq: 0 replies queued again") {
		t.Errorf("second run: exit %d, output %q; want 0 and nothing moved", code, out)
	}
}

// TestReplayErrors: a bad command line exits 2 saying what to give; a
// replay that cannot reach a queue or has no credentials exits 1 saying
// why. Nothing prints a secret (see run).
func TestReplayErrors(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	c := sqsClient(motoURL)
	queue := createFIFO(t, c, "replies.fifo")
	missing := motoURL + "/123456789012/no-such-queue.fifo"
	usage := "give -sqs-dlq and -sqs-queue, or -pubsub-dlq and -pubsub-topic"
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		code int
		says string
	}{
		{"no flags", awsEnv(motoURL), nil, 2, usage},
		{"one SQS flag", awsEnv(motoURL), []string{"-sqs-dlq", queue}, 2, usage},
		{"SQS and Pub/Sub mixed", awsEnv(motoURL), []string{"-sqs-dlq", queue, "-pubsub-topic", "projects/p/topics/t"}, 2, usage},
		{"unknown flag", awsEnv(motoURL), []string{"-dlq", queue}, 2, "flag provided but not defined: -dlq"},
		{"stray argument", awsEnv(motoURL), []string{"-sqs-dlq", queue, "-sqs-queue", queue, "now"}, 2, `unexpected argument "now"`},
		{"no such dead-letter queue", awsEnv(motoURL), []string{"-sqs-dlq", missing, "-sqs-queue", queue}, 1,
			"receiving from the dead-letter queue"},
		{"no credentials", []string{"AWS_ENDPOINT_URL=" + motoURL, "AWS_REGION=us-east-1"},
			[]string{"-sqs-dlq", queue, "-sqs-queue", queue}, 1, "credentials"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, code := run(t, tc.env, tc.args...)
			if code != tc.code || !strings.Contains(out, tc.says) {
				t.Errorf("exit %d, output:\n%s\nwant exit %d and %q", code, out, tc.code, tc.says)
			}
		})
	}
	if out, code := run(t, nil, "-h"); code != 0 || !strings.Contains(out, "-sqs-dlq") {
		t.Errorf("-h: exit %d, output %q; want 0 and the flags", code, out)
	}
}

// TestReplayPubSub runs the command against the Pub/Sub client's own fake
// (pstest, reached through PUBSUB_EMULATOR_HOST as the client library
// allows): every dead-lettered reply is published to the reply topic again
// with its ordering key and reply_id and acknowledged on the dead-letter
// subscription.
func TestReplayPubSub(t *testing.T) {
	const (
		topic   = "projects/p/topics/replies"
		dlTopic = "projects/p/topics/replies-dead-letter"
		sub     = "projects/p/subscriptions/replies-push"
		dlSub   = "projects/p/subscriptions/replies-dead-letter"
	)
	srv, c := queuetest.PubSub(t, "p")
	ctx := context.Background()
	for _, name := range []string{topic, dlTopic} {
		if _, err := c.TopicAdminClient.CreateTopic(ctx, &pubsubpb.Topic{Name: name}); err != nil {
			t.Fatal(err)
		}
	}
	for s, tp := range map[string]string{sub: topic, dlSub: dlTopic} {
		if _, err := c.SubscriptionAdminClient.CreateSubscription(ctx, &pubsubpb.Subscription{Name: s, Topic: tp, EnableMessageOrdering: true}); err != nil {
			t.Fatal(err)
		}
	}
	pub := c.Publisher(dlTopic)
	pub.EnableMessageOrdering = true
	dead := map[string]msg{"r1": {"7", reply(7, "a")}, "r2": {"8", reply(8, "x")}, "r3": {"7", reply(7, "b")}}
	for _, id := range []string{"r1", "r2", "r3"} {
		m := dead[id]
		if _, err := pub.Publish(ctx, &pubsub.Message{Data: []byte(m.body), OrderingKey: m.group,
			Attributes: map[string]string{pubsubqueue.AttrReplyID: id}}).Get(ctx); err != nil {
			t.Fatal(err)
		}
	}
	pub.Stop()

	env := []string{"PUBSUB_EMULATOR_HOST=" + srv.Addr}
	out, code := run(t, env, "-pubsub-dlq", dlSub, "-pubsub-topic", topic, "-idle", "1s")
	if code != 0 || !strings.Contains(out, "replay-dlq: 3 replies queued again") {
		t.Fatalf("exit %d, output %q; want 0 and the count of 3", code, out)
	}
	var mu sync.Mutex
	got := map[string]msg{}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	c.Subscriber(sub).Receive(rctx, func(_ context.Context, m *pubsub.Message) {
		mu.Lock()
		defer mu.Unlock()
		got[m.Attributes[pubsubqueue.AttrReplyID]] = msg{m.OrderingKey, string(m.Data)}
		m.Ack()
		if len(got) == len(dead) {
			cancel()
		}
	})
	mu.Lock()
	defer mu.Unlock()
	if len(got) != len(dead) || got["r1"] != dead["r1"] || got["r2"] != dead["r2"] || got["r3"] != dead["r3"] {
		t.Errorf("the reply topic got %v, want %v", got, dead)
	}
	out, code = run(t, env, "-pubsub-dlq", dlSub, "-pubsub-topic", topic, "-idle", "300ms")
	if code != 0 || !strings.Contains(out, "replay-dlq: 0 replies queued again") {
		t.Errorf("second run: exit %d, output %q; want 0 and nothing moved (the first acknowledged)", code, out)
	}
}
