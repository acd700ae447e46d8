package tfschema

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty/convert"
)

// Problem is one finding, at a place in a file.
type Problem struct {
	Range hcl.Range
	Msg   string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s:%d: %s", p.Range.Filename, p.Range.Start.Line, p.Msg)
}

// Meta-arguments and meta-blocks Terraform itself handles in every resource.
var (
	metaArgs   = map[string]bool{"count": true, "for_each": true, "provider": true, "depends_on": true}
	metaBlocks = map[string]bool{"lifecycle": true, "provisioner": true, "connection": true}
)

// Check parses files (name to content) and checks every resource and data
// block whose type starts with prefix (e.g. "google_"), and every reference
// to one. It returns the problems sorted by place, or an error when a file
// does not parse.
func (s *Schema) Check(prefix string, files map[string][]byte) ([]Problem, error) {
	c := &checker{s: s, prefix: prefix, declared: map[string]bool{}}
	var bodies []*hclsyntax.Body
	for name, src := range files {
		f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos)
		if diags.HasErrors() {
			return nil, fmt.Errorf("tfschema: %s", diags.Error())
		}
		bodies = append(bodies, f.Body.(*hclsyntax.Body))
	}
	for _, body := range bodies {
		for _, b := range body.Blocks {
			c.topBlock(b)
		}
	}
	for _, body := range bodies {
		c.references(body)
	}
	sort.Slice(c.problems, func(i, j int) bool {
		a, b := c.problems[i].Range, c.problems[j].Range
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Start.Line != b.Start.Line {
			return a.Start.Line < b.Start.Line
		}
		return c.problems[i].Msg < c.problems[j].Msg
	})
	return c.problems, nil
}

type checker struct {
	s        *Schema
	prefix   string
	declared map[string]bool // "TYPE.NAME" and "data.TYPE.NAME"
	problems []Problem
}

func (c *checker) add(rng hcl.Range, format string, args ...any) {
	c.problems = append(c.problems, Problem{Range: rng, Msg: fmt.Sprintf(format, args...)})
}

func (c *checker) topBlock(b *hclsyntax.Block) {
	if (b.Type != "resource" && b.Type != "data") || len(b.Labels) != 2 || !strings.HasPrefix(b.Labels[0], c.prefix) {
		return
	}
	typ, schemas, key := b.Labels[0], c.s.Resources, b.Labels[0]+"."+b.Labels[1]
	if b.Type == "data" {
		schemas, key = c.s.DataSources, "data."+key
	}
	c.declared[key] = true
	sb, ok := schemas[typ]
	if !ok {
		c.add(b.TypeRange, "%s %q: unknown type for this provider", b.Type, typ)
		return
	}
	c.body(b.Body, sb, key, true)
}

// body checks one block body against its schema.
func (c *checker) body(body *hclsyntax.Body, sb *Block, where string, top bool) {
	for name, attr := range body.Attributes {
		if top && metaArgs[name] {
			continue
		}
		a, ok := sb.Attributes[name]
		switch {
		case !ok && sb.BlockTypes[name] != nil:
			c.add(attr.NameRange, "%s: %q is a block, not an argument", where, name)
		case !ok:
			c.add(attr.NameRange, "%s: unknown argument %q", where, name)
		case a.Computed && !a.Optional && !a.Required:
			c.add(attr.NameRange, "%s: %q is set by the provider, not an argument", where, name)
		default:
			c.literal(attr, a, where)
		}
	}
	for name, a := range sb.Attributes {
		if a.Required && body.Attributes[name] == nil {
			c.add(body.SrcRange, "%s: missing required argument %q", where, name)
		}
	}
	counts, dynamic := map[string]int{}, map[string]bool{}
	for _, b := range body.Blocks {
		typ, content := b.Type, b.Body
		if top && metaBlocks[typ] {
			continue
		}
		if typ == "dynamic" && len(b.Labels) == 1 {
			typ, dynamic[b.Labels[0]] = b.Labels[0], true
			content = nil
			for _, inner := range b.Body.Blocks {
				if inner.Type == "content" {
					content = inner.Body
				}
			}
		}
		nb, ok := sb.BlockTypes[typ]
		if !ok {
			if sb.Attributes[typ] != nil {
				c.add(b.TypeRange, "%s: %q is an argument, not a block", where, typ)
			} else {
				c.add(b.TypeRange, "%s: unknown block %q", where, typ)
			}
			continue
		}
		counts[typ]++
		if content != nil {
			c.body(content, nb.Block, where+"."+typ, false)
		}
	}
	for typ, nb := range sb.BlockTypes {
		switch n := counts[typ]; {
		case dynamic[typ]:
		case n < nb.MinItems:
			c.add(body.SrcRange, "%s: needs at least %d %q block(s), has %d", where, nb.MinItems, typ, n)
		case nb.MaxItems > 0 && n > nb.MaxItems:
			c.add(body.SrcRange, "%s: at most %d %q block(s) allowed, has %d", where, nb.MaxItems, typ, n)
		}
	}
}

// literal checks the type of an argument whose value is a constant.
func (c *checker) literal(attr *hclsyntax.Attribute, a *Attribute, where string) {
	if len(attr.Expr.Variables()) > 0 {
		return
	}
	v, diags := attr.Expr.Value(nil) // function calls fail here: not literals
	if diags.HasErrors() || !v.IsWhollyKnown() || v.IsNull() {
		return
	}
	if _, err := convert.Convert(v, a.CtyType()); err != nil {
		c.add(attr.Expr.Range(), "%s: %q wants %s, got %s: %v", where, attr.Name, a.CtyType().FriendlyName(), v.Type().FriendlyName(), err)
	}
}
