package config

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"

	"github.com/sociogram-kit/kit/botapi"
	"github.com/sociogram-kit/kit/handler"
)

// Environment variables, a public contract documented in the README.
const (
	EnvToken     = "SOCIOGRAM_BOT_TOKEN"
	EnvAPIURL    = "SOCIOGRAM_API_URL"
	EnvRateLimit = "SOCIOGRAM_RATE_LIMIT"
	EnvLogLevel  = "LOG_LEVEL"
	EnvInFlight  = "SOCIOGRAM_MAX_IN_FLIGHT"
	EnvHost      = "HOST" // plain HTTP and the Cloud Functions runner: the address to listen on
	EnvPort      = "PORT" // plain HTTP and the Cloud Functions runner: the port to listen on

	// Reply queue (package replyqueue); all unset by default: replies go
	// straight to the Bot API.
	EnvReplyQueue    = "SOCIOGRAM_REPLY_QUEUE"     // "local": the plain-HTTP server's in-process queue
	EnvReplyQueueURL = "SOCIOGRAM_REPLY_QUEUE_URL" // Lambda: the SQS FIFO queue's URL
	EnvReplyTopic    = "SOCIOGRAM_REPLY_TOPIC"     // Cloud Functions: projects/P/topics/T
)

// ReplyQueueLocal is the one value of SOCIOGRAM_REPLY_QUEUE.
const ReplyQueueLocal = "local"

// Config is the configuration every adapter shares.
type Config struct {
	Tokens    []string // the first sends; all are accepted on webhooks
	APIURL    string
	RateLimit bool
	LogLevel  slog.Level
	InFlight  int // webhooks handled at once; more answer 503

	ReplyQueue    string // "" (off) or ReplyQueueLocal
	ReplyQueueURL string // an SQS queue URL, or ""
	ReplyTopic    string // a Pub/Sub topic name, or ""

	Host string // default DefaultHost
	Port string // default DefaultPort

	State StateConfig // where per-user state is kept

	ButtonKeys [][]byte // SOCIOGRAM_BUTTON_KEY: signs with the first; nil: derived from the token
}

// Defaults of HOST and PORT.
const (
	DefaultHost = "127.0.0.1"
	DefaultPort = "8080"
)

// Addr is HOST:PORT, the plain-HTTP server's listening address.
func (c Config) Addr() string { return net.JoinHostPort(c.Host, c.Port) }

// ErrNoToken is the error of NewMux without a token: it names the variable
// and wraps handler.ErrNoToken.
var ErrNoToken = fmt.Errorf("%w: %s is not set: it must hold the bot token from the Sociogram Developer Portal",
	handler.ErrNoToken, EnvToken)

// FromEnv reads the Config. SOCIOGRAM_BOT_TOKEN may hold several tokens
// separated by commas ("new,old" during a rotation). The token is not
// required here: adapters that load it elsewhere (Secrets Manager) check it
// themselves, and ConfigError reports what is missing.
func FromEnv(getenv func(string) string) (Config, error) {
	c := Config{APIURL: botapi.DefaultBaseURL, RateLimit: true, InFlight: handler.DefaultMaxInFlight,
		Host: DefaultHost, Port: DefaultPort}
	for _, t := range strings.Split(getenv(EnvToken), ",") {
		if t = strings.TrimSpace(t); t != "" {
			c.Tokens = append(c.Tokens, t)
		}
	}
	allow, err := allowHTTP(getenv)
	if err != nil {
		return c, err
	}
	if u := getenv(EnvAPIURL); u != "" {
		if err := CheckTokenURL(EnvAPIURL, u, allow); err != nil {
			return c, err
		}
		c.APIURL = u
	}
	switch v := strings.ToLower(getenv(EnvRateLimit)); v {
	case "", "on", "true", "1":
	case "off", "false", "0":
		c.RateLimit = false
	default:
		return c, fmt.Errorf("%s=%q: want on or off", EnvRateLimit, v)
	}
	if v := getenv(EnvInFlight); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, fmt.Errorf("%s=%q: want a positive number", EnvInFlight, v)
		}
		c.InFlight = n
	}
	if err := c.listen(getenv); err != nil {
		return c, err
	}
	if err := c.state(getenv); err != nil {
		return c, err
	}
	if c.ButtonKeys, err = ButtonKeys(getenv); err != nil {
		return c, err
	}
	if err := c.replyQueue(getenv); err != nil {
		return c, err
	}
	if v := getenv(EnvLogLevel); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return c, fmt.Errorf("%s=%q: want debug, info, warn or error", EnvLogLevel, v)
		}
	}
	return c, nil
}

// NewLogger returns a JSON logger at the configured level writing to w.
func (c Config) NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: c.LogLevel}))
}

// NewMux builds a bot: a Mux whose Bot API client sends with the keyring's
// primary token (so a rotation is picked up), that verifies webhooks against
// the keyring, logs to logger, admits SOCIOGRAM_MAX_IN_FLIGHT webhooks at
// once, and has the handlers register adds (the bot's Register function).
// Extra options (a verifier that refreshes the keyring, a reply queue's
// sender) are applied after these. It fails with ErrNoToken when keys is
// empty.
func (c Config) NewMux(keys *handler.Keyring, logger *slog.Logger, register func(*handler.Mux), opts ...handler.Option) (*handler.Mux, error) {
	if register == nil {
		panic("config: NewMux needs the bot's Register function")
	}
	if keys.Len() == 0 {
		return nil, ErrNoToken
	}
	if len(c.ButtonKeys) > 0 {
		opts = append([]handler.Option{handler.WithButtonKey(c.ButtonKeys...)}, opts...)
	}
	opts = append([]handler.Option{
		handler.WithVerifier(keys),
		handler.WithSender(c.NewClient(keys)),
		handler.WithLogger(logger),
		handler.WithMaxInFlight(c.InFlight),
	}, opts...)
	b, err := handler.New(keys.Primary(), opts...)
	if err != nil {
		return nil, err
	}
	register(b)
	return b, nil
}

// NewClient returns the Bot API client the configuration describes, sending
// with the keyring's primary token and redacting every token of the keyring
// from its errors. Extra options (a clock, retries) are
// applied after the configured ones.
func (c Config) NewClient(keys *handler.Keyring, opts ...botapi.Option) *botapi.Client {
	return botapi.New("", append([]botapi.Option{
		botapi.WithTokenFunc(keys.Primary),
		botapi.WithRedact(keys.Redact),
		botapi.WithBaseURL(c.APIURL),
		botapi.WithRateLimit(c.RateLimit),
	}, opts...)...)
}

// listen reads HOST and PORT.
func (c *Config) listen(getenv func(string) string) (err error) {
	c.Host, c.Port, err = Listen(getenv)
	return err
}

// Listen reads HOST (default DefaultHost) and PORT (default DefaultPort),
// where a plain-HTTP server (the adapter, the Cloud Functions runner)
// listens. HOST is a host name or an IP address (IPv6 with or without
// brackets), with no scheme and no port; PORT a number from 0 (any free
// port) to 65535. An error names the variable and the form wanted.
func Listen(getenv func(string) string) (host, port string, err error) {
	host, port = DefaultHost, DefaultPort
	if h := getenv(EnvHost); h != "" {
		if host = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"); !validHost(host) {
			return "", "", fmt.Errorf("%s=%q: want a host name or IP address with no scheme and no port, e.g. %s (this machine only) "+
				"or 0.0.0.0 (every interface); the port goes in %s", EnvHost, h, DefaultHost, EnvPort)
		}
	}
	if p := getenv(EnvPort); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n > 65535 || strings.Trim(p, "0123456789") != "" {
			return "", "", fmt.Errorf("%s=%q: want a port number from 0 to 65535 (0: any free port)", EnvPort, p)
		}
		port = p
	}
	return host, port, nil
}

// validHost reports whether h is an IP address or a DNS name (letters,
// digits, hyphens and dots; an underscore tolerated).
func validHost(h string) bool {
	if net.ParseIP(h) != nil {
		return true
	}
	if len(h) == 0 || len(h) > 253 {
		return false
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return false
		}
	}
	return true
}

// replyQueue reads the reply queue's variables; at most one may be set.
func (c *Config) replyQueue(getenv func(string) string) error {
	switch v := strings.ToLower(getenv(EnvReplyQueue)); v {
	case "", "off":
	case ReplyQueueLocal:
		c.ReplyQueue = v
	default:
		return fmt.Errorf("%s=%q: want local or off", EnvReplyQueue, v)
	}
	c.ReplyQueueURL = getenv(EnvReplyQueueURL)
	if u := c.ReplyQueueURL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("%s=%q: want the queue's URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME.fifo)", EnvReplyQueueURL, u)
	}
	c.ReplyTopic = getenv(EnvReplyTopic)
	if tp := c.ReplyTopic; tp != "" && (!strings.HasPrefix(tp, "projects/") || !strings.Contains(tp, "/topics/")) {
		return fmt.Errorf("%s=%q: want projects/PROJECT/topics/TOPIC", EnvReplyTopic, tp)
	}
	n := 0
	for _, set := range []bool{c.ReplyQueue != "", c.ReplyQueueURL != "", c.ReplyTopic != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("set only one of %s, %s and %s", EnvReplyQueue, EnvReplyQueueURL, EnvReplyTopic)
	}
	return nil
}
