package tfschema

import (
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Schema is one provider's resource and data source schemas.
type Schema struct {
	Resources   map[string]*Block
	DataSources map[string]*Block
	Derived     []string // types merged from a derived, not exported, schema (MergeDerived)
}

// Block is the schema of a block's body.
type Block struct {
	Attributes map[string]*Attribute   `json:"attributes"`
	BlockTypes map[string]*NestedBlock `json:"block_types"`
}

// Attribute is one argument or exported attribute.
type Attribute struct {
	Type     json.RawMessage `json:"type"`
	Required bool            `json:"required"`
	Optional bool            `json:"optional"`
	Computed bool            `json:"computed"`

	ty cty.Type
}

// CtyType is the attribute's type (cty.DynamicPseudoType when the schema
// gives none, e.g. for nested attribute types).
func (a *Attribute) CtyType() cty.Type { return a.ty }

// NestedBlock is a nested block type.
type NestedBlock struct {
	NestingMode string `json:"nesting_mode"`
	MinItems    int    `json:"min_items"`
	MaxItems    int    `json:"max_items"`
	Block       *Block `json:"block"`
}

// Load reads the provider named provider (e.g.
// "registry.terraform.io/hashicorp/google") from the JSON of
// `terraform providers schema -json`.
func Load(data []byte, provider string) (*Schema, error) {
	var doc struct {
		ProviderSchemas map[string]struct {
			Resources   map[string]struct{ Block *Block } `json:"resource_schemas"`
			DataSources map[string]struct{ Block *Block } `json:"data_source_schemas"`
		} `json:"provider_schemas"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("tfschema: %w", err)
	}
	p, ok := doc.ProviderSchemas[provider]
	if !ok {
		return nil, fmt.Errorf("tfschema: no provider %q in the schema", provider)
	}
	s := &Schema{Resources: map[string]*Block{}, DataSources: map[string]*Block{}}
	for name, r := range p.Resources {
		if err := r.Block.resolve(); err != nil {
			return nil, fmt.Errorf("tfschema: %s: %w", name, err)
		}
		s.Resources[name] = r.Block
	}
	for name, d := range p.DataSources {
		if err := d.Block.resolve(); err != nil {
			return nil, fmt.Errorf("tfschema: data %s: %w", name, err)
		}
		s.DataSources[name] = d.Block
	}
	return s, nil
}

// resolve parses the attribute types of b and its nested blocks.
func (b *Block) resolve() error {
	for name, a := range b.Attributes {
		a.ty = cty.DynamicPseudoType
		if len(a.Type) > 0 {
			ty, err := ctyjson.UnmarshalType(a.Type)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			a.ty = ty
		}
	}
	for name, nb := range b.BlockTypes {
		if nb.Block == nil {
			nb.Block = &Block{}
		}
		if err := nb.Block.resolve(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}
