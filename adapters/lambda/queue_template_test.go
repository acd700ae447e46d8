package lambdaadapter_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/internal/testtools"
)

// TestTemplateReplyQueue asserts what the reply queue (QueueReplies=on)
// relies on in template.yaml: off by default; a FIFO queue without
// content-based deduplication (the webhook sets the ids), a visibility
// timeout of at least six sender timeouts, a dead-letter queue; one sender
// at a time, fed batches with ReportBatchItemFailures.
func TestTemplateReplyQueue(t *testing.T) {
	d := loadTemplate(t)
	expect(t, "QueueReplies default", d.at(t, "Parameters", "QueueReplies", "Default"), "off")
	expect(t, "QueueReplies values", d.at(t, "Parameters", "QueueReplies", "AllowedValues"), "[off, on]")
	expect(t, "condition", d.at(t, "Conditions", "QueueEnabled"), "!Equals [!Ref QueueReplies, on]")
	for _, r := range []string{"ReplyQueue", "ReplyDeadLetterQueue", "SenderFunction", "SenderLogGroup", "DeadLetterAlarm"} {
		expect(t, r+" condition", d.at(t, "Resources", r, "Condition"), "QueueEnabled")
	}
	q := []string{"Resources", "ReplyQueue", "Properties"}
	at := func(base []string, path ...string) []string { return append(append([]string{}, base...), path...) }
	expect(t, "FIFO", d.at(t, at(q, "FifoQueue")...), "true")
	expect(t, "content-based dedup", d.at(t, at(q, "ContentBasedDeduplication")...), "false")
	expect(t, "DLQ FIFO", d.at(t, "Resources", "ReplyDeadLetterQueue", "Properties", "FifoQueue"), "true")
	expect(t, "redrive target", d.at(t, at(q, "RedrivePolicy", "deadLetterTargetArn")...), "!GetAtt ReplyDeadLetterQueue.Arn")
	if n, _ := strconv.Atoi(d.at(t, at(q, "RedrivePolicy", "maxReceiveCount")...).Value); n < 2 {
		t.Errorf("maxReceiveCount = %d: a reply gets no retry before the dead-letter queue", n)
	}

	fn := []string{"Resources", "SenderFunction", "Properties"}
	expect(t, "sender concurrency", d.at(t, at(fn, "ReservedConcurrentExecutions")...), "1")
	expect(t, "sender runtime", d.at(t, at(fn, "Runtime")...), "provided.al2023")
	expect(t, "sender build", d.at(t, "Resources", "SenderFunction", "Metadata", "BuildMethod"), "makefile")
	timeout, _ := strconv.Atoi(d.at(t, at(fn, "Timeout")...).Value)
	vis, _ := strconv.Atoi(d.at(t, at(q, "VisibilityTimeout")...).Value)
	if vis < 6*timeout {
		t.Errorf("VisibilityTimeout %d s < 6 × the sender's Timeout %d s", vis, timeout)
	}
	ev := at(fn, "Events", "Replies")
	expect(t, "sender event", d.at(t, at(ev, "Type")...), "SQS")
	expect(t, "sender queue", d.at(t, at(ev, "Properties", "Queue")...), "!GetAtt ReplyQueue.Arn")
	expect(t, "batch failures", d.at(t, at(ev, "Properties", "FunctionResponseTypes")...), "[ReportBatchItemFailures]")
	if n, _ := strconv.Atoi(d.at(t, at(ev, "Properties", "BatchSize")...).Value); n < 1 || n > 10 {
		t.Errorf("BatchSize = %d: a FIFO source takes 1 to 10", n)
	}
	expect(t, "sender queue URL", d.at(t, at(fn, "Environment", "Variables", config.EnvReplyQueueURL)...), "!Ref ReplyQueue")
	expect(t, "webhook queue URL", d.at(t, "Resources", "WebhookFunction", "Properties", "Environment", "Variables", config.EnvReplyQueueURL),
		"!If [QueueEnabled, !Ref ReplyQueue, !Ref AWS::NoValue]")

	mk, err := os.ReadFile(filepath.Join(testtools.Root(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`(?m)^build-SenderFunction:\n(?:\t.*\n)*?\t.*\./adapters/lambda/cmd/sender$`).Match(mk) {
		t.Error("the Makefile has no build-SenderFunction target building ./adapters/lambda/cmd/sender")
	}
}
