// Command gcf is adapters/gcf/cmd/gcf with a counted exit for callgrind (see
// package bench/kitexit).
package main

import (
	"fmt"
	"net"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/funcframework"

	_ "github.com/sociogram-kit/kit"
	gcfadapter "github.com/sociogram-kit/kit/adapters/gcf"
	"github.com/sociogram-kit/kit/bench/internal/benchexit"
	"github.com/sociogram-kit/kit/config"
)

func main() {
	if os.Getenv("FUNCTION_TARGET") == "" {
		os.Setenv("FUNCTION_TARGET", gcfadapter.EntryPoint)
	}
	host, port, err := config.Listen(os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gcf:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gcf: serving function %s on http://%s/\n", os.Getenv("FUNCTION_TARGET"), net.JoinHostPort(host, port))
	benchexit.Go(func() {
		if err := funcframework.StartHostPort(host, port); err != nil {
			fmt.Fprintln(os.Stderr, "gcf:", err)
			os.Exit(1)
		}
	})
}
