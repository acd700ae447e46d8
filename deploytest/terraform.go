package deploytest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/sociogram-kit/kit/internal/tfschema"
)

// Terraform checks every google_* resource and data block of
// dir/terraform/*.tf against the google provider v7.44.0's schema (unknown
// or provider-set arguments, missing required ones, block counts, literal
// types, references to attributes that do not exist): what `terraform
// validate` would say, offline. It then runs `terraform fmt -check` on the
// folder (a subtest that needs terraform).
func Terraform(t *testing.T, dir string) {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "terraform", "*.tf"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no terraform/*.tf in %s (%v)", dir, err)
	}
	srcs := map[string][]byte{}
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		srcs["terraform/"+filepath.Base(p)] = src
	}
	schema, err := tfschema.Google()
	if err != nil {
		t.Fatal(err)
	}
	if note := schema.DerivedNote(); note != "" {
		t.Log(note)
	}
	problems, err := schema.Check("google_", srcs)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	t.Run("fmt", func(t *testing.T) {
		tf := tool(t, dir, "terraform")
		cmd := exec.Command(tf, "fmt", "-check", "-diff", "-recursive", "terraform")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("terraform fmt -check: %v (run terraform fmt -recursive terraform)\n%s", err, out)
		}
	})
}
