package config

import (
	"fmt"
	"strings"
)

// EnvDev turns on the plain-HTTP server's development endpoints (GET and
// DELETE /dev/state, GET and POST /dev/clock: a user's state, its reset, and
// a clock that can be moved forward), which the emulator's State panel uses.
// `make run` sets it; never set it in production.
const EnvDev = "SOCIOGRAM_DEV"

// Dev reports whether SOCIOGRAM_DEV turns the development endpoints on:
// "1", "on" or "true" (any case); unset, "0", "off" or "false" is off.
// Another value is an error naming the variable.
func Dev(getenv func(string) string) (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(getenv(EnvDev))); v {
	case "1", "on", "true":
		return true, nil
	case "", "0", "off", "false":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want 1 (development endpoints on) or 0", EnvDev, v)
	}
}
