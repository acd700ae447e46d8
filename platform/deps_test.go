package platform_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly: the platform's model depends on nothing but the
// standard library, in particular not on the core it checks.
func TestStandardLibraryOnly(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}",
		"github.com/sociogram-kit/kit/platform").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if pkg != "github.com/sociogram-kit/kit/platform" {
			t.Errorf("package platform depends on %s", pkg)
		}
	}
}
