package deploytest

import (
	"os/exec"
	"strings"
	"testing"
)

// Template lints dir/template.yaml (AWS SAM) with cfn-lint and its SAM
// translator, as `make lint-template` does: with the reply queue off (the
// default) and on (QueueReplies=on).
func Template(t *testing.T, dir string) {
	t.Helper()
	lint := tool(t, dir, "cfn-lint")
	for _, args := range [][]string{
		{"template.yaml"},
		{"--parameters", "QueueReplies=on", "BotToken=lint-only", "--", "template.yaml"},
	} {
		cmd := exec.Command(lint, args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("cfn-lint %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
