package config_test

import (
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
	opts, err := config.ButtonOptions(env(map[string]string{config.EnvButtonKey: long}))
	if err != nil || len(opts) != 1 {
		t.Fatalf("ButtonOptions: %d options, %v", len(opts), err)
	}
	if _, err := handler.New("tok", opts...); err != nil {
		t.Errorf("the Mux refuses the option: %v", err)
	}
	if opts, err := config.ButtonOptions(env(nil)); err != nil || opts != nil {
		t.Errorf("unset: %v %v, want no options", opts, err)
	}
}
