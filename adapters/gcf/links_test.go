package gcfadapter_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/internal/testtools"
)

// functionPackages are what the Cloud Functions deploy and bin/gcf build:
// the module's root package (the buildpack's generated main blank-imports
// it) and the fixture's runner, which the end-to-end tests start.
var functionPackages = []string{"github.com/sociogram-kit/kit", "./internal/fixture/cmd/gcf"}

// importGraph is `go list -deps` of pkgs: each package's imports.
func importGraph(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go not in PATH")
	}
	cmd := exec.Command(goBin, append([]string{"list", "-deps", "-f", `{{.ImportPath}} {{join .Imports " "}}`}, pkgs...)...)
	cmd.Dir = testtools.Root()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v\n%s", strings.Join(pkgs, " "), err, out)
	}
	g := map[string][]string{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		g[f[0]] = f[1:]
	}
	return g
}

// pathTo returns the import chain from root to the first package for which
// hit is true, not going through a package for which skip is true; nil if
// there is none.
func pathTo(g map[string][]string, root string, hit, skip func(string) bool) []string {
	from := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if hit(p) {
			var chain []string
			for ; p != ""; p = from[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, imp := range g[p] {
			if _, seen := from[imp]; !seen && !skip(imp) {
				from[imp] = p
				queue = append(queue, imp)
			}
		}
	}
	return nil
}

// TestFunctionLinksNoPubSubClient (issue 14): the deployed function (the
// webhook and the sender, one package) and bin/gcf link neither the Pub/Sub
// client library nor gRPC. Pub/Sub is published to over its REST API
// (pubsubqueue) and pushes to the sender over HTTP; Firestore is spoken to
// over REST too (store/firestorestore).
func TestFunctionLinksNoPubSubClient(t *testing.T) {
	g := importGraph(t, functionPackages...)
	roots := []string{functionPackages[0], "github.com/sociogram-kit/kit/internal/fixture/cmd/gcf"}
	under := func(prefixes ...string) func(string) bool {
		return func(p string) bool {
			for _, pre := range prefixes {
				if p == pre || strings.HasPrefix(p, pre+"/") {
					return true
				}
			}
			return false
		}
	}
	none := func(string) bool { return false }
	for _, root := range roots {
		if _, ok := g[root]; !ok {
			t.Fatalf("go list did not list %s", root)
		}
		t.Run(root+"/pubsub", func(t *testing.T) {
			if chain := pathTo(g, root, under("cloud.google.com/go/pubsub", "cloud.google.com/go/pubsub/v2"), none); chain != nil {
				t.Errorf("links the Pub/Sub client: %s", strings.Join(chain, " -> "))
			}
		})
		t.Run(root+"/grpc", func(t *testing.T) {
			if chain := pathTo(g, root, under("google.golang.org/grpc"), none); chain != nil {
				t.Errorf("links gRPC: %s", strings.Join(chain, " -> "))
			}
		})
	}
}
