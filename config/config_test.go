package config_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/config"
	"github.com/sociogram-kit/kit/handler"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestFromEnvDefaults(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"SOCIOGRAM_BOT_TOKEN": " new , old ,"}))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Tokens, "|") != "new|old" || c.APIURL != "https://api.sociogram.org" || !c.RateLimit || c.LogLevel != slog.LevelInfo {
		t.Errorf("config = %+v", c)
	}
}

func TestFromEnvValues(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"SOCIOGRAM_API_URL": "http://127.0.0.1:8081", "SOCIOGRAM_RATE_LIMIT": "off", "LOG_LEVEL": "debug"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.APIURL != "http://127.0.0.1:8081" || c.RateLimit || c.LogLevel != slog.LevelDebug {
		t.Errorf("config = %+v", c)
	}
}

func TestFromEnvErrorsNameTheVariable(t *testing.T) {
	for name, bad := range map[string]string{"SOCIOGRAM_MAX_IN_FLIGHT": "0", "SOCIOGRAM_API_URL": "api.sociogram.org", "SOCIOGRAM_RATE_LIMIT": "sometimes", "LOG_LEVEL": "chatty"} {
		_, err := config.FromEnv(env(map[string]string{name: bad}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: err = %v, want one naming the variable", name, bad, err)
		}
	}
}

func TestNewMuxNeedsToken(t *testing.T) {
	c, _ := config.FromEnv(env(nil))
	if _, err := c.NewMux(handler.NewKeyring(c.Tokens...), slog.New(slog.DiscardHandler), func(*handler.Mux) {}); !errors.Is(err, handler.ErrNoToken) || !strings.Contains(err.Error(), "SOCIOGRAM_BOT_TOKEN") {
		t.Errorf("err = %v", err)
	}
}

func TestFromEnvReplyQueue(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil || c.ReplyQueue != "" || c.ReplyQueueURL != "" || c.ReplyTopic != "" {
		t.Errorf("default: %+v %v, want no queue", c, err)
	}
	for _, m := range []map[string]string{
		{config.EnvReplyQueue: "local"},
		{config.EnvReplyQueueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/bot-replies.fifo"},
		{config.EnvReplyTopic: "projects/p/topics/bot-replies"},
	} {
		c, err := config.FromEnv(env(m))
		if err != nil || c.ReplyQueue+c.ReplyQueueURL+c.ReplyTopic == "" {
			t.Errorf("%v: %+v %v", m, c, err)
		}
	}
	for name, bad := range map[string]string{config.EnvReplyQueue: "sqs", config.EnvReplyQueueURL: "bot-replies.fifo", config.EnvReplyTopic: "bot-replies"} {
		if _, err := config.FromEnv(env(map[string]string{name: bad})); err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%s: err = %v, want one naming the variable", name, bad, err)
		}
	}
	if _, err := config.FromEnv(env(map[string]string{config.EnvReplyQueue: "local", config.EnvReplyTopic: "projects/p/topics/t"})); err == nil {
		t.Error("two queues at once accepted")
	}
}

func TestFromEnvListen(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"HOST": "0.0.0.0", "PORT": "9000"}))
	if err != nil || c.Addr() != "0.0.0.0:9000" {
		t.Errorf("addr = %q, %v", c.Addr(), err)
	}
	c, _ = config.FromEnv(env(nil))
	if c.Addr() != "127.0.0.1:8080" {
		t.Errorf("default addr = %q", c.Addr())
	}
	for _, bad := range []string{"abc", "-1", "65536", "80a"} {
		if _, err := config.FromEnv(env(map[string]string{"PORT": bad})); err == nil || !strings.Contains(err.Error(), `PORT="`+bad+`"`) {
			t.Errorf("PORT=%s: err = %v, want one naming PORT", bad, err)
		}
	}
}

func TestFromEnvState(t *testing.T) {
	for _, c := range []struct {
		env   map[string]string
		store string
	}{
		{nil, ""},
		{map[string]string{"SOCIOGRAM_STATE": "file"}, "file"},
		{map[string]string{"SOCIOGRAM_STATE": "Memory"}, "memory"},
		{map[string]string{"SOCIOGRAM_STATE": "off"}, "off"},
		{map[string]string{"SOCIOGRAM_STATE_TABLE": "bot-state"}, "dynamodb"},
		{map[string]string{"SOCIOGRAM_STATE_COLLECTION": "sessions"}, "firestore"},
		{map[string]string{"SOCIOGRAM_STATE": "off", "SOCIOGRAM_STATE_TABLE": "bot-state"}, "off"},
	} {
		cfg, err := config.FromEnv(env(c.env))
		if err != nil || cfg.State.Store != c.store {
			t.Errorf("%v: store %q, %v; want %q", c.env, cfg.State.Store, err, c.store)
		}
	}
	cfg, _ := config.FromEnv(env(map[string]string{"SOCIOGRAM_STATE_TTL": "90m", "SOCIOGRAM_STATE_FILE": "/tmp/s.db"}))
	if cfg.State.TTL != 90*time.Minute || cfg.State.File != "/tmp/s.db" || cfg.State.Database != "(default)" {
		t.Errorf("state = %+v", cfg.State)
	}
	cfg, _ = config.FromEnv(env(nil))
	if cfg.State.File != ".sociogram/state.db" || cfg.State.TTL != 30*24*time.Hour {
		t.Errorf("defaults = %+v", cfg.State)
	}
	for _, bad := range []map[string]string{
		{"SOCIOGRAM_STATE": "redis"},
		{"SOCIOGRAM_STATE": "dynamodb"},
		{"SOCIOGRAM_STATE": "firestore"},
		{"SOCIOGRAM_STATE_TTL": "forever"},
		{"SOCIOGRAM_STATE_TTL": "-1h"},
		{"SOCIOGRAM_STATE_TABLE": "t", "SOCIOGRAM_STATE_COLLECTION": "c"},
	} {
		_, err := config.FromEnv(env(bad))
		named := false
		for k := range bad {
			named = named || (err != nil && strings.Contains(err.Error(), k))
		}
		if !named {
			t.Errorf("%v: err = %v, want one naming the variable", bad, err)
		}
	}
}
