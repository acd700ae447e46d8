package handler_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCoreImportsStandardLibraryOnly: the core and the Bot API client depend
// on nothing outside the standard library and this module.
func TestCoreImportsStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/sociogram-kit/kit/handler/...", "github.com/sociogram-kit/kit/botapi/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if !strings.HasPrefix(pkg, "github.com/sociogram-kit/kit/") {
			t.Errorf("the core depends on %s", pkg)
		}
	}
}
