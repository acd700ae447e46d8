package main

import (
	"context"
	"io"

	"github.com/sociogram-kit/kit/internal/devcmd"
)

func emulatorCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return devcmd.Emulator(ctx, "sociogram emulator", args, getenv, stdout, stderr)
}

func triggerCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return devcmd.Trigger(ctx, "sociogram trigger", args, getenv, stdout, stderr)
}

func devCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	return devcmd.Dev(ctx, "sociogram dev", args, getenv, stdout, stderr)
}
