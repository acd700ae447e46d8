package lambdaadapter_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/fixture"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// countingTransport counts the GetSecretValue calls the SDK makes.
type countingTransport struct{ reads atomic.Int64 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("X-Amz-Target") == "secretsmanager.GetSecretValue" {
		c.reads.Add(1)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// secretsClient is the real SDK client pointed at moto with dummy keys.
func secretsClient(t *testing.T, motoURL string, rt http.RoundTripper) *secretsmanager.Client {
	t.Helper()
	// Built by hand, not with config.LoadDefaultConfig, so that the
	// machine's AWS_* environment cannot change what the test does.
	if rt == nil {
		rt = http.DefaultTransport
	}
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
		BaseEndpoint: aws.String(motoURL),
		HTTPClient:   &http.Client{Transport: rt},
	}
	return secretsmanager.NewFromConfig(cfg)
}

// TestSecretsManagerToken runs the Secrets Manager path with the real SDK
// against moto: the right key is answered 200 and the reply is sent with the
// secret's token; a wrong key 401; a rotated secret is picked up without a
// restart; a burst of bad keys re-reads the secret at most once per interval.
func TestSecretsManagerToken(t *testing.T) {
	const newToken = "rotated-token-8c21d7"
	motoURL := testtools.StartMoto(t)
	count := &countingTransport{}
	client := secretsClient(t, motoURL, count)
	ctx := context.Background()
	created, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("sociogram/bot-token"), SecretString: aws.String(conformance.Token),
	})
	if err != nil {
		t.Fatal(err)
	}

	// One fake Bot API per token, so each reply shows which token sent it.
	oldAPI, newAPI := sociogramtest.NewAPI(conformance.Token, nil), sociogramtest.NewAPI(newToken, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(handler.HeaderAppKey) == newToken {
			newAPI.ServeHTTP(w, r)
			return
		}
		oldAPI.ServeHTTP(w, r)
	}))
	defer srv.Close()

	clock := sociogramtest.NewClock(time.Unix(1_800_000_000, 0))
	keys := handler.NewKeyring()
	v := lambdaadapter.NewRefreshingVerifier(keys, lambdaadapter.SecretTokens(client, *created.ARN),
		lambdaadapter.WithClock(clock.Now), lambdaadapter.WithRefreshInterval(30*time.Second),
		lambdaadapter.WithRefreshLogger(discardLogger()))
	if err := v.Load(ctx); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(env{config.EnvAPIURL: srv.URL, config.EnvRateLimit: "off"}.Get)
	if err != nil {
		t.Fatal(err)
	}
	b, err := cfg.NewMux(keys, discardLogger(), fixture.Register, handler.WithVerifier(v))
	if err != nil {
		t.Fatal(err)
	}
	h := lambdaadapter.New(b)
	send := func(key string) int {
		req := conformance.Cases()[0].Req // the docs' chat-message: one reply
		req.Header = req.Header.Clone()
		req.Header.Set(handler.HeaderAppKey, key)
		out, err := h.Invoke(invocationContext(t, "id"), buildEvent(t, lambdaadapter.SourceHTTPAPI, req, false))
		if err != nil {
			t.Fatal(err)
		}
		return decodeResponse(t, lambdaadapter.SourceHTTPAPI, out).Status
	}
	step := func(name, key string, wantStatus int, wantReads int64) {
		t.Helper()
		if got := send(key); got != wantStatus {
			t.Errorf("%s: status %d, want %d", name, got, wantStatus)
		}
		if got := count.reads.Load(); got != wantReads {
			t.Errorf("%s: %d secret reads so far, want %d", name, got, wantReads)
		}
	}

	step("right key", conformance.Token, 200, 1)
	conformance.CheckReplies(t, oldAPI, []string{conformance.ReplyHello("Hello bot!")})
	step("wrong key within the interval: no read", "wrong-token", 401, 1)
	clock.Advance(31 * time.Second)
	step("wrong key after the interval: one read", "wrong-token", 401, 2)
	step("again: no read", "wrong-token", 401, 2)

	if _, err := client.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
		SecretId: created.ARN, SecretString: aws.String(newToken),
	}); err != nil {
		t.Fatal(err)
	}
	step("new key within the interval", newToken, 401, 2)
	clock.Advance(31 * time.Second)
	oldAPI.Reset()
	step("new key after the interval: rotated secret picked up", newToken, 200, 3)
	conformance.CheckReplies(t, newAPI, []string{conformance.ReplyHello("Hello bot!")})
	conformance.CheckReplies(t, oldAPI, nil)
	step("old key no longer accepted", conformance.Token, 401, 3)
	step("new key, no read needed", newToken, 200, 3)

	// A burst of concurrent bad keys after the interval: one read in all.
	clock.Advance(31 * time.Second)
	var wg sync.WaitGroup
	statuses := make(chan int, 40)
	for range 40 {
		wg.Go(func() { statuses <- send("bad-" + strconv.Itoa(len(statuses))) })
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 401 {
			t.Errorf("burst: status %d, want 401", s)
		}
	}
	if got := count.reads.Load(); got != 4 {
		t.Errorf("burst of 40 bad keys: %d secret reads in all, want 4 (one more)", got)
	}
}

func TestSecretTokensErrors(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	client := secretsClient(t, motoURL, http.DefaultTransport)
	ctx := context.Background()
	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("blank"), SecretString: aws.String(" , "),
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String("pair"), SecretString: aws.String("new-one, old-one"),
	}); err != nil {
		t.Fatal(err)
	}
	tokens, err := lambdaadapter.SecretTokens(client, "pair")(ctx)
	if err != nil || len(tokens) != 2 || tokens[0] != "new-one" || tokens[1] != "old-one" {
		t.Errorf("pair: %q, %v; want [new-one old-one]", tokens, err)
	}
	_, err = lambdaadapter.SecretTokens(client, "blank")(ctx)
	if !errors.Is(err, lambdaadapter.ErrEmptySecret) {
		t.Errorf("blank secret: %v, want ErrEmptySecret", err)
	}
	_, err = lambdaadapter.SecretTokens(client, "missing")(ctx)
	var se *lambdaadapter.SecretError
	if !errors.As(err, &se) || se.SecretID != "missing" {
		t.Errorf("missing secret: %v, want a *SecretError naming it", err)
	}
}

type env map[string]string

func (e env) Get(k string) string { return e[k] }

func discardLogger() *slog.Logger { return slog.New(slog.NewJSONHandler(io.Discard, nil)) }
