// Package doccheck holds a test of the kit's Markdown documents: every link
// to a heading or a file resolves, so a renamed section cannot leave a dead
// link behind.
package doccheck
