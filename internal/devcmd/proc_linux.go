package devcmd

import (
	"os/exec"
	"syscall"
)

// ownGroup starts the bot in a process group of its own, so a Ctrl-C in the
// terminal reaches only sociogram dev, which stops the bot in order. On
// Linux the bot also gets SIGTERM should sociogram dev die without
// stopping it (killed with SIGKILL).
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}

// signalGroup sends sig to the bot's process group (the bot and anything it
// started).
func signalGroup(pid int, sig syscall.Signal) error { return syscall.Kill(-pid, sig) }
