package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoCloudSDK: the sociogram command links no cloud SDK (AWS, Google
// Cloud, functions-framework-go, gRPC), so `go run .../cmd/sociogram@V`
// and `go tool sociogram` build fast from a cold cache. replay-dlq, which
// needs them, stays a command of its own.
func TestNoCloudSDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, out)
	}
	banned := []string{
		"github.com/aws/", "cloud.google.com/", "google.golang.org/api", "google.golang.org/grpc",
		"github.com/GoogleCloudPlatform/", "github.com/hashicorp/",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list -deps listed only %q", deps)
	}
	for _, d := range deps {
		for _, b := range banned {
			if strings.HasPrefix(d, b) {
				t.Errorf("the sociogram command links %s: keep cloud SDKs out of it", d)
			}
		}
	}
}
