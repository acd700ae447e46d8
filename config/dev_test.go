package config_test

import (
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/config"
)

func TestDev(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "off": false, "FALSE": false,
		"1": true, "on": true, "True": true, " 1 ": true} {
		got, err := config.Dev(func(k string) string { return map[string]string{config.EnvDev: v}[k] })
		if err != nil || got != want {
			t.Errorf("%s=%q: got %v, %v; want %v", config.EnvDev, v, got, err, want)
		}
	}
	_, err := config.Dev(func(string) string { return "yes please" })
	if err == nil || !strings.Contains(err.Error(), config.EnvDev) {
		t.Errorf("a bad value: err = %v, want one naming %s", err, config.EnvDev)
	}
}
