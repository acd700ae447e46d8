package lambdaadapter_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/conformance"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// TestBootstrapSecretUnderEmulator runs the fixture bot's bootstrap under the
// emulator with the token in a Secrets Manager secret (moto, reached through
// AWS_ENDPOINT_URL as the real SDK's configuration allows).
func TestBootstrapSecretUnderEmulator(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	client := secretsClient(t, motoURL, nil)
	if _, err := client.CreateSecret(context.Background(), &secretsmanager.CreateSecretInput{
		Name: aws.String("sociogram/bot-token"), SecretString: aws.String(conformance.Token),
	}); err != nil {
		t.Fatal(err)
	}
	api := sociogramtest.NewServer(t, conformance.Token)
	e := startEmulator(t, buildBootstrap(t), envList(map[string]string{
		"SOCIOGRAM_BOT_TOKEN_SECRET": "sociogram/bot-token",
		"AWS_ENDPOINT_URL":           motoURL, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
		config.EnvAPIURL: api.URL, config.EnvRateLimit: "off",
	})...)
	for _, c := range conformance.Cases() {
		if !strings.Contains(c.Name, "docs chat-message") && !strings.Contains(c.Name, "key") {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			api.Reset()
			resp := decodeResponse(t, lambdaadapter.SourceFunctionURL, e.invoke(t, buildEvent(t, lambdaadapter.SourceFunctionURL, c.Req, false)))
			if resp.Status != c.Status {
				t.Errorf("status %d, want %d", resp.Status, c.Status)
			}
			conformance.CheckReplies(t, api.API, c.Replies)
		})
	}
	if strings.Contains(e.output(), conformance.Token) {
		t.Error("the token appears in the function's output")
	}
}

// TestBootstrapNoToken checks that without a token the function fails its
// start with one clear log line naming both ways to give it one.
func TestBootstrapNoToken(t *testing.T) {
	bin := buildBootstrap(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; output %s", err, out)
	}
	var line struct {
		Level string `json:"level"`
		Msg   string `json:"msg"`
	}
	if err := json.Unmarshal(out, &line); err != nil {
		t.Fatalf("output is not one JSON log line: %q", out)
	}
	if line.Level != "ERROR" || !strings.Contains(line.Msg, "SOCIOGRAM_BOT_TOKEN_SECRET") || !strings.Contains(line.Msg, "SOCIOGRAM_BOT_TOKEN") {
		t.Errorf("log line %q does not say what is missing", out)
	}
}

// TestBootstrapUnreadableSecret checks that a secret that cannot be read
// fails the start, naming the secret.
func TestBootstrapUnreadableSecret(t *testing.T) {
	motoURL := testtools.StartMoto(t)
	bin := buildBootstrap(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "SOCIOGRAM_BOT_TOKEN_SECRET=no-such-secret",
		"AWS_ENDPOINT_URL=" + motoURL, "AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing"}
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1; output %s", err, out)
	}
	if !strings.Contains(string(out), "no-such-secret") || !strings.Contains(string(out), `"level":"ERROR"`) {
		t.Errorf("output %q does not name the secret in an error line", out)
	}
}

// TestBootstrapSize checks the default (arm64) bootstrap, built as sam build
// builds it (on the fixture bot: the budget is the kit's, not a bot's), stays
// within 10 MB.
func TestBootstrapSize(t *testing.T) {
	st, err := os.Stat(makeBootstrap(t, "arm64"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() > 10_000_000 {
		t.Errorf("bootstrap is %d bytes, over the 10 MB budget", st.Size())
	}
	t.Logf("bootstrap (arm64): %d bytes", st.Size())
}
