package gcfadapter_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/config"
)

// number returns the constant number value of attribute name in body.
func number(t *testing.T, body *hclsyntax.Body, name string) int64 {
	t.Helper()
	a, ok := body.Attributes[name]
	if !ok {
		t.Fatalf("terraform: no argument %s", name)
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() || !v.Type().Equals(cty.Number) {
		t.Fatalf("terraform: %s is not a literal number", name)
	}
	n, _ := v.AsBigFloat().Int64()
	return n
}

// TestTerraformReplyQueue asserts what the Pub/Sub reply queue relies on:
// off by default, every resource of it counted on var.queue_replies;
// ordered push to the Sender entry point; one sender instance, taking
// several pushes at once; retries with backoff and a dead-letter topic; the webhook gets
// the topic as SOCIOGRAM_REPLY_TOPIC.
func TestTerraformReplyQueue(t *testing.T) {
	_, bodies := tfFiles(t)
	v := find(t, bodies, "variable", "queue_replies")
	if d, _ := v.Attributes["default"].Expr.Value(nil); d.True() {
		t.Error("queue_replies defaults to true; the queue must be opt-in")
	}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			if (b.Type != "resource" && b.Type != "data") || !strings.HasPrefix(b.Labels[0], "google_pubsub") && b.Labels[1] != "sender" && b.Labels[1] != "push" && b.Labels[1] != "publish" && b.Labels[1] != "dead_letter" {
				continue
			}
			name := strings.Join(b.Labels, ".")
			n, ok := b.Body.Attributes["count"]
			if !ok {
				n, ok = b.Body.Attributes["for_each"]
			}
			if !ok || !contains(refs(t, b.Body, n.Name), "var.queue_replies") {
				t.Errorf("%s is not conditional on var.queue_replies", name)
			}
		}
	}
	sub := find(t, bodies, "resource", "google_pubsub_subscription", "replies")
	if v, _ := sub.Attributes["enable_message_ordering"].Expr.Value(nil); !v.True() {
		t.Error("the replies subscription does not keep order")
	}
	if got := refs(t, block(sub, "push_config"), "push_endpoint"); len(got) != 1 || got[0] != "google_cloudfunctions2_function.sender.url" {
		t.Errorf("push endpoint %v, want the sender's url", got)
	}
	if block(block(sub, "push_config"), "oidc_token") == nil {
		t.Error("the push carries no OIDC token: the sender would have to be public")
	}
	dl := block(sub, "dead_letter_policy")
	if dl == nil || number(t, dl, "max_delivery_attempts") < 2 {
		t.Error("no dead-letter policy with retries")
	}
	if block(sub, "retry_policy") == nil {
		t.Error("no retry policy: failures would be retried at once, without backoff")
	}
	fn := find(t, bodies, "resource", "google_cloudfunctions2_function", "sender")
	if got := literal(t, block(fn, "build_config"), "entry_point"); got != gcfadapter.SenderEntryPoint {
		t.Errorf("sender entry_point = %q, want %q", got, gcfadapter.SenderEntryPoint)
	}
	svc := block(fn, "service_config")
	if number(t, svc, "max_instance_count") != 1 {
		t.Error("the sender must run one instance: its pacer is the bot's pace")
	}
	if number(t, svc, "max_instance_request_concurrency") < 2 || literal(t, svc, "available_cpu") != "1" {
		t.Error("the sender must take several pushes at once (on a whole vCPU): one user's held push must not hold up the others")
	}
	if literal(t, find(t, bodies, "resource", "google_cloud_run_service_iam_member", "push"), "role") != "roles/run.invoker" {
		t.Error("the push account cannot invoke the sender")
	}
	web := block(find(t, bodies, "resource", "google_cloudfunctions2_function", "bot"), "service_config")
	if !envKeys(web.Attributes["environment_variables"].Expr)[config.EnvReplyTopic] {
		t.Errorf("the webhook is not given %s", config.EnvReplyTopic)
	}
}
