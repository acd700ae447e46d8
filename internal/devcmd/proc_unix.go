//go:build unix && !linux

package devcmd

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the bot in a process group of its own, so a Ctrl-C in the
// terminal reaches only sociogram dev, which stops the bot in order.
func ownGroup(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// signalGroup sends sig to the bot's process group (the bot and anything it
// started).
func signalGroup(pid int, sig syscall.Signal) error { return syscall.Kill(-pid, sig) }
