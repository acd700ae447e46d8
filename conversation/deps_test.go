package conversation_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportsStandardLibraryAndHandlerOnly: conversations are the core's
// state plus the standard library, nothing else.
func TestImportsStandardLibraryAndHandlerOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/sociogram-kit/kit/conversation").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/sociogram-kit/kit/conversation" && pkg != "github.com/sociogram-kit/kit/handler" {
			t.Errorf("conversation depends on %s", pkg)
		}
	}
}
