package config_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
)

func TestButtonKeys(t *testing.T) {
	long, old := strings.Repeat("k", 32), strings.Repeat("o", 44)
	for _, c := range []struct {
		value string
		keys  int    // how many keys; -1: an error
		err   string // in the error
	}{
		{"", 0, ""},
		{"  ", 0, ""},
		{long, 1, ""},
		{" " + long + " , " + old, 2, ""},
		{"short-key", -1, "SOCIOGRAM_BUTTON_KEY: key 1 is 9 characters, want at least 32"},
		{long + ",", -1, "key 2 is 0 characters"},
	} {
		keys, err := config.ButtonKeys(env(map[string]string{config.EnvButtonKey: c.value}))
		switch {
		case c.keys < 0 && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%q: err = %v, want one saying %q", c.value, err, c.err)
		case c.keys < 0 && strings.Contains(err.Error(), "short-key"):
			t.Errorf("%q: the error shows the key: %v", c.value, err)
		case c.keys >= 0 && (err != nil || len(keys) != c.keys):
			t.Errorf("%q: %d keys, %v; want %d", c.value, len(keys), err, c.keys)
		}
	}
	cfg, err := config.FromEnv(env(map[string]string{config.EnvButtonKey: long + "," + long}))
	if err != nil || len(cfg.ButtonKeys) != 2 {
		t.Fatalf("FromEnv: %d button keys, %v", len(cfg.ButtonKeys), err)
	}
	if _, err := cfg.NewMux(handler.NewKeyring("tok"), slog.New(slog.DiscardHandler), func(*handler.Mux) {}); err != nil {
		t.Errorf("NewMux with button keys: %v", err)
	}
	if _, err := config.FromEnv(env(map[string]string{config.EnvButtonKey: "short-key"})); err == nil || !strings.Contains(err.Error(), config.EnvButtonKey) {
		t.Errorf("FromEnv with a short key: %v", err)
	}
	if cfg, err := config.FromEnv(env(nil)); err != nil || cfg.ButtonKeys != nil {
		t.Errorf("unset: %v %v, want no keys", cfg.ButtonKeys, err)
	}
}
