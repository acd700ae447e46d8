package lambdaadapter_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	httpadapter "github.com/sociogram-kit/kit/adapters/http"
	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/store/dynamostore"
)

// yamlDoc is template.yaml as YAML nodes, which keep CloudFormation's short
// tags (!Ref, !If, !Sub) that the assertions below look at.
type yamlDoc struct{ root *yaml.Node }

func loadTemplate(t *testing.T) yamlDoc {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testtools.Root(), "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil {
		t.Fatal(err)
	}
	return yamlDoc{n.Content[0]}
}

// at walks mapping keys and sequence indexes; it fails the test when a step
// is missing.
func (d yamlDoc) at(t *testing.T, path ...string) *yaml.Node {
	t.Helper()
	n := d.root
	for i, p := range path {
		var next *yaml.Node
		switch n.Kind {
		case yaml.MappingNode:
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == p {
					next = n.Content[j+1]
				}
			}
		case yaml.SequenceNode:
			if k, err := strconv.Atoi(p); err == nil && k < len(n.Content) {
				next = n.Content[k]
			}
		}
		if next == nil {
			t.Fatalf("template.yaml has no %s", strings.Join(path[:i+1], "."))
		}
		n = next
	}
	return n
}

// render prints a node compactly with its tags, e.g.
// !If [CreateTokenSecret, !Ref BotTokenSecret, !Ref ExistingBotTokenSecretArn].
func render(n *yaml.Node) string {
	tag := ""
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		tag = n.Tag + " "
	}
	switch n.Kind {
	case yaml.SequenceNode:
		var parts []string
		for _, c := range n.Content {
			parts = append(parts, render(c))
		}
		return tag + "[" + strings.Join(parts, ", ") + "]"
	case yaml.MappingNode:
		var parts []string
		for i := 0; i+1 < len(n.Content); i += 2 {
			parts = append(parts, n.Content[i].Value+": "+render(n.Content[i+1]))
		}
		return tag + "{" + strings.Join(parts, ", ") + "}"
	}
	return tag + n.Value
}

func expect(t *testing.T, what string, got *yaml.Node, want string) {
	t.Helper()
	if r := render(got); r != want {
		t.Errorf("%s = %s, want %s", what, r, want)
	}
}

// TestTemplate asserts what the code relies on in template.yaml.
func TestTemplate(t *testing.T) {
	d := loadTemplate(t)
	fn := []string{"Resources", "WebhookFunction"}
	props := append(fn, "Properties")
	p := func(path ...string) []string { return append(append([]string{}, props...), path...) }

	expect(t, "function type", d.at(t, append(fn, "Type")...), "AWS::Serverless::Function")
	expect(t, "runtime", d.at(t, p("Runtime")...), "provided.al2023")
	// The architecture is chosen once, in Globals, where the Makefile reads
	// it (cmd/sociogram's TestLambdaArchFromTemplate builds both ways).
	expect(t, "architectures", d.at(t, "Globals", "Function", "Architectures"), "[arm64]")
	for _, f := range []string{"WebhookFunction", "SenderFunction"} {
		for i, props := 0, d.at(t, "Resources", f, "Properties"); i+1 < len(props.Content); i += 2 {
			if props.Content[i].Value == "Architectures" {
				t.Errorf("%s sets its own Architectures: set it once, in Globals, which the Makefile builds for", f)
			}
		}
	}
	expect(t, "handler", d.at(t, p("Handler")...), "bootstrap")
	expect(t, "build method", d.at(t, append(fn, "Metadata", "BuildMethod")...), "makefile")
	mk, err := os.ReadFile(filepath.Join(testtools.Root(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^build-WebhookFunction:`).Match(mk) {
		t.Error("the Makefile has no build-WebhookFunction target for sam build")
	}

	// The one event: the HTTP API (payload 2.0, which Detect reads as
	// http-api) posting to the kit's webhook path.
	if n := len(d.at(t, p("Events")...).Content); n != 2 {
		t.Errorf("the function has %d events, want 1", n/2)
	}
	ev := p("Events", "Webhook")
	expect(t, "event type", d.at(t, append(ev, "Type")...), "HttpApi")
	expect(t, "event path", d.at(t, append(ev, "Properties", "Path")...), httpadapter.WebhookPath)
	expect(t, "event method", d.at(t, append(ev, "Properties", "Method")...), "POST")
	expect(t, "payload format", d.at(t, append(ev, "Properties", "PayloadFormatVersion")...), "2.0")
	expect(t, "event API", d.at(t, append(ev, "Properties", "ApiId")...), "!Ref WebhookApi")
	expect(t, "API type", d.at(t, "Resources", "WebhookApi", "Type"), "AWS::Serverless::HttpApi")

	// The token: a NoEcho parameter in a secret the stack creates, or an
	// existing one; the function gets the secret's ARN, never the token.
	const secretArn = "!If [CreateTokenSecret, !Ref BotTokenSecret, !Ref ExistingBotTokenSecretArn]"
	expect(t, "BotToken NoEcho", d.at(t, "Parameters", "BotToken", "NoEcho"), "true")
	expect(t, "secret type", d.at(t, "Resources", "BotTokenSecret", "Type"), "AWS::SecretsManager::Secret")
	expect(t, "secret condition", d.at(t, "Resources", "BotTokenSecret", "Condition"), "CreateTokenSecret")
	expect(t, "secret value", d.at(t, "Resources", "BotTokenSecret", "Properties", "SecretString"), "!Ref BotToken")
	env := d.at(t, p("Environment", "Variables")...)
	expect(t, "SOCIOGRAM_BOT_TOKEN_SECRET", d.at(t, p("Environment", "Variables", "SOCIOGRAM_BOT_TOKEN_SECRET")...), secretArn)
	expect(t, config.EnvAPIURL, d.at(t, p("Environment", "Variables", config.EnvAPIURL)...), "!Ref ApiUrl")
	expect(t, config.EnvLogLevel, d.at(t, p("Environment", "Variables", config.EnvLogLevel)...), "!Ref LogLevel")
	if strings.Contains(render(env), config.EnvToken+":") {
		t.Error("the function's environment holds the token itself")
	}

	// The policy: read that one secret, nothing else (and, with the reply
	// queue on, send to that queue).
	pol := d.at(t, p("Policies")...)
	expect(t, "policies", pol, "[{Version: 2012-10-17, Statement: [{Sid: ReadTheBotTokenSecretOnly, Effect: Allow, "+
		"Action: secretsmanager:GetSecretValue, Resource: "+secretArn+"}, "+
		"{Sid: StateTableOnly, Effect: Allow, Action: [dynamodb:GetItem, dynamodb:PutItem], Resource: !GetAtt StateTable.Arn}, "+
		"!If [QueueEnabled, {Sid: QueueReplies, Effect: Allow, Action: sqs:SendMessage, Resource: !GetAtt ReplyQueue.Arn}, !Ref AWS::NoValue]]}]")

	// Timeout above the core's per-webhook budget, below API Gateway's 30 s.
	timeout, _ := strconv.Atoi(d.at(t, p("Timeout")...).Value)
	if s := int(handler.DefaultTimeout.Seconds()); timeout <= s || timeout >= 30 {
		t.Errorf("Timeout = %d s, want more than the core's %d s and less than API Gateway's 30 s", timeout, s)
	}
	expect(t, "log group", d.at(t, p("LoggingConfig", "LogGroup")...), "!Ref WebhookLogGroup")
	expect(t, "log retention", d.at(t, "Resources", "WebhookLogGroup", "Properties", "RetentionInDays"), "!Ref LogRetentionDays")

	// The URL to paste into the Developer Portal.
	expect(t, "WebhookUrl output", d.at(t, "Outputs", "WebhookUrl", "Value"),
		"!Sub https://${WebhookApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}"+httpadapter.WebhookPath)
}

// TestTemplateState: the per-user state table is the one dynamostore's
// contract describes (key pk, TTL on expires), billed per request and kept
// when the stack goes; only the webhook gets its name, and may get and put
// items in it and do nothing else.
func TestTemplateState(t *testing.T) {
	d := loadTemplate(t)
	tbl := []string{"Resources", "StateTable"}
	p := func(path ...string) []string { return append(append([]string{}, tbl...), path...) }
	expect(t, "table type", d.at(t, p("Type")...), "AWS::DynamoDB::Table")
	expect(t, "table deletion policy", d.at(t, p("DeletionPolicy")...), "Retain")
	expect(t, "billing", d.at(t, p("Properties", "BillingMode")...), "PAY_PER_REQUEST")
	expect(t, "key schema", d.at(t, p("Properties", "KeySchema")...), "[{AttributeName: "+dynamostore.AttrKey+", KeyType: HASH}]")
	expect(t, "attributes", d.at(t, p("Properties", "AttributeDefinitions")...), "[{AttributeName: "+dynamostore.AttrKey+", AttributeType: S}]")
	expect(t, "TTL", d.at(t, p("Properties", "TimeToLiveSpecification")...), "{AttributeName: "+dynamostore.AttrExpires+", Enabled: true}")

	expect(t, config.EnvStateTable, d.at(t, "Resources", "WebhookFunction", "Properties", "Environment", "Variables", config.EnvStateTable), "!Ref StateTable")
	// The table's only grant is the webhook's GetItem and PutItem on it
	// (TestTemplate checks the whole statement list).
	for _, name := range []string{"SenderFunction", "ReplyQueue", "BotTokenSecret"} {
		if r := render(d.at(t, "Resources", name)); strings.Contains(r, "StateTable") || strings.Contains(r, "dynamodb:") {
			t.Errorf("%s refers to the state table or DynamoDB: %s", name, r)
		}
	}
	if r := render(d.at(t, "Resources", "WebhookFunction", "Properties", "Policies")); strings.Count(r, "dynamodb:") != 2 {
		t.Errorf("the webhook's policies grant DynamoDB actions other than GetItem and PutItem: %s", r)
	}
}

// TestTemplateLints runs cfn-lint (with its SAM translator) on template.yaml,
// with the reply queue off (the default) and on.
func TestTemplateLints(t *testing.T) {
	lint := testtools.Require(t, "cfn-lint")
	for _, args := range [][]string{{"template.yaml"}, {"--parameters", "QueueReplies=on", "BotToken=lint-only", "--", "template.yaml"}} {
		cmd := exec.Command(lint, args...)
		cmd.Dir = testtools.Root()
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cfn-lint %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
