package main

import (
	"embed"
	"fmt"
	"slices"
	"strings"
)

// The starting bots `sociogram new -example NAME` offers. "menu" is the
// skeleton's own bot/ (skel/bot); the others are copies of the kit's
// examples/NAME package (a Register function and its tests), kept in
// examplefiles/ by `go generate ./cmd/sociogram` (TestExampleFiles fails on
// drift) and turned into package bot when a project is written.
//
//go:generate go test -run ^TestExampleFiles$ -update-examples

// defaultExample is the starting bot without -example.
const defaultExample = "menu"

// exampleNames lists the -example values, the default first.
var exampleNames = []string{defaultExample, "form"}

// exampleTries is what the project's README tells the user to type first.
var exampleTries = map[string]string{
	"menu": "Type `/start` or `hello`",
	"form": "Type `/order` (an order form that remembers each user)",
}

//go:embed examplefiles
var exampleFS embed.FS

// exampleBot returns bot/bot.go and bot/bot_test.go of example name for
// the project's module, or nil for the skeleton's own bot.
func exampleBot(name, module string) (map[string][]byte, error) {
	if name == "" || name == defaultExample {
		return nil, nil
	}
	if !slices.Contains(exampleNames, name) {
		return nil, fmt.Errorf("no example %q: want one of %s", name, strings.Join(exampleNames, ", "))
	}
	files := map[string][]byte{}
	for src, dst := range map[string]string{name + ".go": "bot/bot.go", name + "_test.go": "bot/bot_test.go"} {
		data, err := exampleFS.ReadFile("examplefiles/" + name + "/" + src + ".tmpl")
		if err != nil {
			return nil, err
		}
		files[dst] = []byte(asBotPackage(string(data), name, module))
	}
	return files, nil
}

// asBotPackage turns the source of the kit's examples/name package (or its
// external test) into the project's package bot.
func asBotPackage(src, name, module string) string {
	return strings.NewReplacer(
		"package "+name+"_test\n", "package bot_test\n",
		"package "+name+"\n", "package bot\n",
		"// Package "+name+" is ", "// Package bot is ",
		name+"_test.go", "bot_test.go",
		`"`+kitModule+"/examples/"+name+`"`, `"`+module+`/bot"`,
		name+".Register(", "bot.Register(",
	).Replace(src)
}
