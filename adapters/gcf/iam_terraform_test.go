package gcfadapter_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// tfBlock is one resource, data or locals attribute of terraform/, by the
// name Terraform refers to it with ("google_service_account.build",
// "data.google_project.this", "local.apis").
type tfBlock struct {
	name string
	body *hclsyntax.Body // nil for a local
	expr hcl.Expression  // a local's value
}

// tfBlocks indexes the resources, data sources and locals of bodies.
func tfBlocks(bodies []*hclsyntax.Body) map[string]tfBlock {
	m := map[string]tfBlock{}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			switch {
			case b.Type == "resource" && len(b.Labels) == 2:
				n := b.Labels[0] + "." + b.Labels[1]
				m[n] = tfBlock{name: n, body: b.Body}
			case b.Type == "data" && len(b.Labels) == 2:
				n := "data." + b.Labels[0] + "." + b.Labels[1]
				m[n] = tfBlock{name: n, body: b.Body}
			case b.Type == "locals":
				for name, a := range b.Body.Attributes {
					m["local."+name] = tfBlock{name: "local." + name, expr: a.Expr}
				}
			}
		}
	}
	return m
}

// refName is the block a traversal refers to ("" for var, path, each, ...).
func refName(tr hcl.Traversal) string {
	names := traversalNames(tr)
	switch {
	case len(names) >= 3 && names[0] == "data":
		return strings.Join(names[:3], ".")
	case len(names) >= 2 && names[0] == "local":
		return strings.Join(names[:2], ".")
	case len(names) >= 2 && !slices.Contains([]string{"var", "path", "each", "count", "self", "source", "terraform"}, names[0]):
		return strings.Join(names[:2], ".")
	}
	return ""
}

func traversalNames(tr hcl.Traversal) []string {
	var names []string
	for _, step := range tr {
		switch s := step.(type) {
		case hcl.TraverseRoot:
			names = append(names, s.Name)
		case hcl.TraverseAttr:
			names = append(names, s.Name)
		}
	}
	return names
}

// deps is what a block refers to anywhere in it (arguments, nested blocks,
// depends_on), by name.
func (b tfBlock) deps() []string {
	var out []string
	add := func(x hcl.Expression) {
		for _, tr := range x.Variables() {
			if n := refName(tr); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	if b.expr != nil {
		add(b.expr)
		return out
	}
	var walk func(*hclsyntax.Body)
	walk = func(body *hclsyntax.Body) {
		for _, a := range body.Attributes {
			add(a.Expr)
		}
		for _, nb := range body.Blocks {
			walk(nb.Body)
		}
	}
	walk(b.body)
	return out
}

// reaches reports whether from depends on to, directly or through others.
func reaches(blocks map[string]tfBlock, from, to string) bool {
	seen := map[string]bool{}
	var visit func(string) bool
	visit = func(n string) bool {
		if n == to {
			return true
		}
		if seen[n] {
			return false
		}
		seen[n] = true
		for _, d := range blocks[n].deps() {
			if visit(d) {
				return true
			}
		}
		return false
	}
	return visit(from)
}

// evalTF evaluates x with the given references (by name, e.g.
// "data.google_project.this.number") and the locals it uses, with the
// functions the IAM expressions use.
func evalTF(t *testing.T, blocks map[string]tfBlock, x hcl.Expression, known map[string]cty.Value) cty.Value {
	t.Helper()
	vars := map[string]cty.Value{}
	locals := map[string]cty.Value{}
	for _, tr := range x.Variables() {
		names := traversalNames(tr)
		if names[0] == "local" {
			locals[names[1]] = evalTF(t, blocks, blocks["local."+names[1]].expr, known)
			continue
		}
		full := strings.Join(names, ".")
		v, ok := known[full]
		if !ok {
			t.Fatalf("evaluating %s: no value given for %s", x.Range(), full)
		}
		setPath(vars, names, v)
	}
	vars["local"] = cty.ObjectVal(locals)
	ctx := &hcl.EvalContext{Variables: vars, Functions: map[string]function.Function{
		"join": stdlib.JoinFunc, "setunion": stdlib.SetUnionFunc, "sort": stdlib.SortFunc,
	}}
	v, diags := x.Value(ctx)
	if diags.HasErrors() {
		t.Fatalf("evaluating %s: %s", x.Range(), diags.Error())
	}
	return v
}

// setPath stores v at names in nested objects of vars.
func setPath(vars map[string]cty.Value, names []string, v cty.Value) {
	if len(names) == 1 {
		vars[names[0]] = v
		return
	}
	inner := map[string]cty.Value{}
	if cur, ok := vars[names[0]]; ok && cur.Type().IsObjectType() {
		inner = cur.AsValueMap()
	}
	setPath(inner, names[1:], v)
	vars[names[0]] = cty.ObjectVal(inner)
}

// TestTerraformBuildAccount: both functions build as the dedicated build
// service account into the kit's own repository, and that account holds
// exactly what a build needs: logs (project-wide, the only scope that role
// has), push on that repository, read on the two source buckets (by
// condition); the functions wait for those grants.
func TestTerraformBuildAccount(t *testing.T) {
	_, bodies := tfFiles(t)
	blocks := tfBlocks(bodies)
	for _, fn := range []string{"bot", "sender"} {
		build := block(find(t, bodies, "resource", "google_cloudfunctions2_function", fn), "build_config")
		if got := refs(t, build, "service_account"); !slices.Equal(got, []string{"google_service_account.build.id"}) {
			t.Errorf("function %s builds as %v, want google_service_account.build.id (a dedicated build account)", fn, got)
		}
		if got := refs(t, build, "docker_repository"); !slices.Equal(got, []string{"google_artifact_registry_repository.functions.id"}) {
			t.Errorf("function %s pushes to %v, want google_artifact_registry_repository.functions.id", fn, got)
		}
		if !reaches(blocks, "google_cloudfunctions2_function."+fn, "time_sleep.build_iam") {
			t.Errorf("function %s does not wait for the build account's grants (time_sleep.build_iam)", fn)
		}
	}
	if got := literal(t, find(t, bodies, "resource", "google_artifact_registry_repository", "functions"), "format"); got != "DOCKER" {
		t.Errorf("repository format = %q, want DOCKER", got)
	}

	// Every grant to the build account, by resource type and role.
	var grants []string
	for name, b := range blocks {
		if b.body == nil || !strings.HasSuffix(strings.Split(name, ".")[0], "_iam_member") {
			continue
		}
		if m := b.body.Attributes["member"]; m == nil || !slices.Contains(refs(t, b.body, "member"), "google_service_account.build.email") {
			continue
		}
		grants = append(grants, strings.Split(name, ".")[0]+" "+literal(t, b.body, "role"))
		if !slices.Contains(blocks["time_sleep.build_iam"].deps(), name) {
			t.Errorf("time_sleep.build_iam does not wait for %s", name)
		}
	}
	slices.Sort(grants)
	want := []string{
		"google_artifact_registry_repository_iam_member roles/artifactregistry.writer",
		"google_project_iam_member roles/logging.logWriter",
		"google_project_iam_member roles/storage.objectViewer",
	}
	if !slices.Equal(grants, want) {
		t.Errorf("the build account's grants:\n got %q\nwant %q", grants, want)
	}
	repo := find(t, bodies, "resource", "google_artifact_registry_repository_iam_member", "build")
	if got := refs(t, repo, "repository"); !slices.Equal(got, []string{"google_artifact_registry_repository.functions.name"}) {
		t.Errorf("artifactregistry.writer is granted on %v, want the functions' repository only", got)
	}

	src := find(t, bodies, "resource", "google_project_iam_member", "build_source")
	cond := block(src, "condition")
	if cond == nil {
		t.Fatal("storage.objectViewer for the build has no condition: it would read every bucket of the project")
	}
	got := evalTF(t, blocks, cond.Attributes["expression"].Expr, map[string]cty.Value{
		"data.google_project.this.number":       cty.StringVal("123456"),
		"var.region":                            cty.StringVal("europe-west1"),
		"google_storage_bucket.source.name":     cty.StringVal("proj-bot-source"),
		"var.function_name":                     cty.StringVal("bot"),
		"google_service_account.build.email":    cty.StringVal("bot-build@proj.iam.gserviceaccount.com"),
		"google_storage_bucket.source.location": cty.StringVal("europe-west1"),
	}).AsString()
	wantCond := `resource.name == "projects/_/buckets/gcf-v2-sources-123456-europe-west1" || resource.name.startsWith("projects/_/buckets/gcf-v2-sources-123456-europe-west1/objects/") || ` +
		`resource.name == "projects/_/buckets/proj-bot-source" || resource.name.startsWith("projects/_/buckets/proj-bot-source/objects/")`
	if got != wantCond {
		t.Errorf("the build's source condition:\n got %s\nwant %s", got, wantCond)
	}
}

// TestTerraformWaitsForAPIs: every API the configuration uses is enabled;
// every google_* resource and data source waits for them through
// time_sleep.apis, and nothing depends on google_project_service directly
// (which would skip the wait). The time_sleep blocks, whose provider's
// schema is not available offline, are checked by hand.
func TestTerraformWaitsForAPIs(t *testing.T) {
	_, bodies := tfFiles(t)
	blocks := tfBlocks(bodies)
	base := []string{"artifactregistry", "cloudbuild", "cloudfunctions", "cloudresourcemanager", "firestore", "iam", "logging", "run", "secretmanager", "storage"}
	for _, queue := range []bool{false, true} {
		v := evalTF(t, blocks, blocks["local.apis"].expr, map[string]cty.Value{"var.queue_replies": cty.BoolVal(queue)})
		var got []string
		for it := v.ElementIterator(); it.Next(); {
			_, s := it.Element()
			got = append(got, strings.TrimSuffix(s.AsString(), ".googleapis.com"))
		}
		want := slices.Clone(base)
		if queue {
			want = append(want, "pubsub")
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("queue_replies=%v: enabled APIs %q, want %q", queue, got, want)
		}
	}

	for name, b := range blocks {
		if name == "time_sleep.apis" {
			continue
		}
		if slices.Contains(b.deps(), "google_project_service.apis") {
			t.Errorf("%s depends on google_project_service.apis directly: depend on time_sleep.apis, so it waits for the APIs to be usable", name)
		}
		typ := strings.TrimPrefix(name, "data.")
		if b.body != nil && strings.HasPrefix(typ, "google_") && !strings.HasPrefix(typ, "google_project_service.") && !reaches(blocks, name, "time_sleep.apis") {
			t.Errorf("%s does not wait for the APIs (time_sleep.apis)", name)
		}
	}
	if !slices.Contains(blocks["time_sleep.apis"].deps(), "google_project_service.apis") {
		t.Error("time_sleep.apis does not follow google_project_service.apis")
	}

	for _, name := range []string{"apis", "build_iam"} {
		sleep := find(t, bodies, "resource", "time_sleep", name)
		for arg := range sleep.Attributes {
			if !slices.Contains([]string{"create_duration", "triggers", "depends_on"}, arg) {
				t.Errorf("time_sleep.%s sets %q, which this test does not know (the time provider's schema is not checked offline)", name, arg)
			}
		}
		d, err := time.ParseDuration(literal(t, sleep, "create_duration"))
		if err != nil || d < 30*time.Second {
			t.Errorf("time_sleep.%s create_duration = %v (%v), want a duration of at least 30s", name, d, err)
		}
		if _, ok := sleep.Attributes["triggers"]; !ok {
			t.Errorf("time_sleep.%s has no triggers: it would not wait again when what it waits for changes", name)
		}
	}
	prov := block(find(t, bodies, "terraform"), "required_providers")
	tv, diags := prov.Attributes["time"].Expr.Value(nil)
	if diags.HasErrors() || tv.GetAttr("source").AsString() != "hashicorp/time" {
		t.Error("versions.tf does not require hashicorp/time (time_sleep)")
	}
}

// TestTerraformIAMScoped: grants are made on the resources, not the project.
// The only project-level grants are the build's log writing (a role with no
// narrower scope) and grants narrowed by an IAM condition; with the reply
// queue, the runtime account may publish to the replies topic only, and
// Pub/Sub's service agent may publish to the dead-letter topic and
// subscribe to the replies subscription only.
func TestTerraformIAMScoped(t *testing.T) {
	_, bodies := tfFiles(t)
	blocks := tfBlocks(bodies)
	for name, b := range blocks {
		if b.body == nil || !strings.HasPrefix(name, "google_project_iam_member.") {
			continue
		}
		role := literal(t, b.body, "role")
		if strings.HasPrefix(role, "roles/pubsub.") {
			t.Errorf("%s grants %s on the whole project: grant it on the topic or subscription", name, role)
		}
		if block(b.body, "condition") == nil && role != "roles/logging.logWriter" {
			t.Errorf("%s grants %s on the whole project without a condition", name, role)
		}
	}
	for _, name := range []string{"google_project_iam_binding", "google_project_iam_policy", "google_pubsub_topic_iam_binding", "google_pubsub_topic_iam_policy"} {
		for n := range blocks {
			if strings.HasPrefix(n, name+".") {
				t.Errorf("%s is authoritative: it would remove grants made outside this configuration", n)
			}
		}
	}

	agent := evalTF(t, blocks, blocks["local.pubsub_agent"].expr, map[string]cty.Value{
		"data.google_project.this.number": cty.StringVal("123456"),
	}).AsString()
	if agent != "serviceAccount:service-123456@gcp-sa-pubsub.iam.gserviceaccount.com" {
		t.Errorf("local.pubsub_agent = %q, want Pub/Sub's service agent", agent)
	}
	for _, g := range []struct{ typ, name, on, onArg, role, member string }{
		{"google_pubsub_topic_iam_member", "publish", "google_pubsub_topic.replies.id", "topic", "roles/pubsub.publisher", "google_service_account.runtime.email"},
		{"google_pubsub_topic_iam_member", "dead_letter", "google_pubsub_topic.dead_letter.id", "topic", "roles/pubsub.publisher", "local.pubsub_agent"},
		{"google_pubsub_subscription_iam_member", "dead_letter", "google_pubsub_subscription.replies.id", "subscription", "roles/pubsub.subscriber", "local.pubsub_agent"},
	} {
		b := find(t, bodies, "resource", g.typ, g.name)
		if got := refs(t, b, g.onArg); !slices.Equal(got, []string{g.on}) {
			t.Errorf("%s.%s: %s = %v, want %s", g.typ, g.name, g.onArg, got, g.on)
		}
		if got := literal(t, b, "role"); got != g.role {
			t.Errorf("%s.%s: role = %q, want %q", g.typ, g.name, got, g.role)
		}
		if got := refs(t, b, "member"); !slices.Equal(got, []string{g.member}) {
			t.Errorf("%s.%s: member = %v, want %s", g.typ, g.name, got, g.member)
		}
	}
	if !slices.Contains(blocks["google_cloudfunctions2_function.bot"].deps(), "google_pubsub_topic_iam_member.publish") {
		t.Error("the webhook does not wait for its publish grant: its first replies could be refused")
	}

	// The public invoker binding: on by default, off where domain
	// restricted sharing refuses allUsers.
	v := find(t, bodies, "variable", "public_invoker")
	if d, _ := v.Attributes["default"].Expr.Value(nil); !d.True() {
		t.Error("public_invoker must default to true: the platform calls the webhook without credentials")
	}
	if got := refs(t, find(t, bodies, "resource", "google_cloud_run_service_iam_member", "public"), "count"); !slices.Equal(got, []string{"var.public_invoker"}) {
		t.Errorf("the public invoker binding's count = %v, want var.public_invoker", got)
	}
	if !regexp.MustCompile(`domain\s+restricted\s+(#\s*)?sharing`).MatchString(string(srcOf(t, "terraform/function.tf"))) {
		t.Error("function.tf does not say why public_invoker exists")
	}
}
