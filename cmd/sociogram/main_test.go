package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings
		stderr []string
	}{
		{"help", []string{"help"}, exitOK, []string{"Usage: sociogram <command>", "new ", "emulator ", "trigger ", "gcf-source "}, nil},
		{"-h", []string{"-h"}, exitOK, []string{"Usage: sociogram <command>"}, nil},
		{"no command", nil, exitUsage, nil, []string{"Usage: sociogram <command>"}},
		{"unknown command", []string{"deploy"}, exitUsage, nil, []string{`sociogram: unknown command "deploy"`, "Commands:"}},
		{"emulator help", []string{"emulator", "-h"}, exitOK, nil, []string{"Usage: sociogram emulator"}},
		{"emulator without a token", []string{"emulator"}, exitFailed, nil, []string{"sociogram emulator: no bot token: SOCIOGRAM_BOT_TOKEN is not set"}},
		{"trigger help", []string{"trigger", "-h"}, exitOK, nil, []string{"Usage: sociogram trigger"}},
		{"trigger without a token", []string{"trigger"}, exitUsage, nil, []string{"sociogram trigger: no token: set SOCIOGRAM_BOT_TOKEN"}},
		{"new help", []string{"new", "-h"}, exitOK, nil, []string{"Usage: sociogram new [-kit PATH] [-example NAME] MODULE [DIR]"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), c.args, noEnv, &stdout, &stderr)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout.String(), stderr.String())
			}
			for _, s := range c.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			for _, s := range c.stderr {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}
