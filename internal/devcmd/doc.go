// Package devcmd holds the local development commands shared by their
// stand-alone binaries (cmd/emulator, cmd/trigger: bin/emulator and
// bin/trigger) and by the sociogram command (`sociogram emulator`,
// `sociogram trigger`, also `go tool sociogram ...` in a bot project), so
// both run the same code. Dev, the development loop (`sociogram dev`, what
// `make run` runs), builds and restarts the bot beside an emulator of its own.
//
// Each command is a function of its arguments, environment and output
// streams that returns the process's exit status: 0 done, 1 failed, 2 bad
// usage. Only the mains read the environment or call os.Exit (Dev passes
// this process's environment on to the bot it starts, as a shell would).
package devcmd

// Exit statuses of every command.
const (
	ExitOK     = 0
	ExitFailed = 1
	ExitUsage  = 2
)
