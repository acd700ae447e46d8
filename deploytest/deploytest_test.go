package deploytest_test

import (
	"testing"

	"github.com/sociogram-kit/kit/deploytest"
)

// TestTerraformOfTheKit: the kit's own root is a bot project too (the
// example bot in bot/), and its terraform/ passes the check a generated
// project's does. The other checks run on a generated project in make
// test-new (cfn-lint on the same template.yaml also runs in adapters/lambda,
// and the builds on the kit's own entry points in adapters/).
func TestTerraformOfTheKit(t *testing.T) { deploytest.Terraform(t, "..") }
