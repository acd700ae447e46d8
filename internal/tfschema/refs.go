package tfschema

import (
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// references checks every reference in body to a resource or data source of
// the provider: it must be declared, and the attribute read must exist.
func (c *checker) references(body *hclsyntax.Body) {
	for _, attr := range body.Attributes {
		for _, tr := range attr.Expr.Variables() {
			c.reference(tr)
		}
	}
	for _, b := range body.Blocks {
		c.references(b.Body)
	}
}

func (c *checker) reference(tr hcl.Traversal) {
	names := traversalNames(tr)
	schemas, key := c.s.Resources, ""
	switch {
	case len(names) >= 3 && names[0] == "data" && strings.HasPrefix(names[1], c.prefix):
		schemas, key, names = c.s.DataSources, "data."+names[1]+"."+names[2], names[1:]
	case len(names) >= 2 && strings.HasPrefix(names[0], c.prefix):
		key = names[0] + "." + names[1]
	default:
		return
	}
	if !c.declared[key] {
		c.add(tr.SourceRange(), "reference to undeclared %s", key)
		return
	}
	sb := schemas[names[0]]
	if sb == nil || len(names) < 3 {
		return
	}
	if sb.Attributes[names[2]] == nil && sb.BlockTypes[names[2]] == nil {
		c.add(tr.SourceRange(), "%s has no attribute %q", key, names[2])
	}
}

// traversalNames returns the names of a traversal's root and attribute
// steps, skipping indexes and splats.
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
