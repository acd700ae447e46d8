package lambdaadapter

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/sociogram-kit/kit/handler"
)

// Defaults of RefreshingVerifier.
const (
	DefaultRefreshInterval = 30 * time.Second
	DefaultRefreshTimeout  = 3 * time.Second
)

// RefreshRetryAfterFailure is how soon a miss may read again after a failed
// read (at most the interval): a failure does not use up the interval, and
// failures still cost at most one read per this much time.
const RefreshRetryAfterFailure = 5 * time.Second

// RefreshingVerifier is a handler.Verifier over a keyring loaded from a
// TokenSource (a Secrets Manager secret). When a webhook's key does not match
// and the tokens were last read at least the refresh interval ago, it reads
// them again, once, before answering: a rotated token is picked up without a
// redeploy, and a burst of bad keys costs at most one read per interval.
// Concurrent misses share that read. The read runs on a context of its own
// (the request's values, not its cancellation, and the refresh timeout), so a
// caller that hangs up cannot spoil it; a failed read allows another after
// RefreshRetryAfterFailure. It is safe for concurrent use.
type RefreshingVerifier struct {
	keys     *handler.Keyring
	source   TokenSource
	interval time.Duration
	timeout  time.Duration
	now      func() time.Time
	logger   *slog.Logger

	mu       sync.Mutex // held during a read, so concurrent misses wait for it
	nextRead time.Time  // a miss before this does not read
}

// RefreshOption configures a RefreshingVerifier.
type RefreshOption func(*RefreshingVerifier)

// WithRefreshInterval sets the least time between two reads (default 30 s).
func WithRefreshInterval(d time.Duration) RefreshOption {
	return func(v *RefreshingVerifier) { v.interval = d }
}

// WithRefreshTimeout bounds one read (default 3 s).
func WithRefreshTimeout(d time.Duration) RefreshOption {
	return func(v *RefreshingVerifier) { v.timeout = d }
}

// WithClock sets the clock, for tests.
func WithClock(now func() time.Time) RefreshOption {
	return func(v *RefreshingVerifier) { v.now = now }
}

// WithRefreshLogger sets where failed reads are logged (default
// slog.Default()). Verify cannot return them.
func WithRefreshLogger(l *slog.Logger) RefreshOption {
	return func(v *RefreshingVerifier) { v.logger = l }
}

// NewRefreshingVerifier returns a verifier that keeps keys filled from
// source. It does no I/O: call Load once at cold start.
func NewRefreshingVerifier(keys *handler.Keyring, source TokenSource, opts ...RefreshOption) *RefreshingVerifier {
	v := &RefreshingVerifier{
		keys: keys, source: source,
		interval: DefaultRefreshInterval, timeout: DefaultRefreshTimeout,
		now: time.Now, logger: slog.Default(),
	}
	for _, o := range opts {
		o(v)
	}
	return v
}

// Load reads the tokens into the keyring. Call it before serving (at cold
// start); its error is fatal for the function.
func (v *RefreshingVerifier) Load(ctx context.Context) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.read(ctx)
}

// Verify reports whether key is one of the tokens, re-reading them first
// when key does not match and the last read is at least the interval old.
// An empty key never causes a read.
func (v *RefreshingVerifier) Verify(ctx context.Context, key string) bool {
	if v.keys.Verify(ctx, key) {
		return true
	}
	if key == "" {
		return false
	}
	// Check again even when this call did not read: a concurrent miss may
	// just have loaded the new token.
	v.refresh(ctx)
	return v.keys.Verify(ctx, key)
}

// refresh reads the tokens again unless a read is not yet due; it reports
// whether it read them.
func (v *RefreshingVerifier) refresh(ctx context.Context) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.now().Before(v.nextRead) {
		return false
	}
	// Detached from the request: a cancelled caller must not fail the read
	// that the misses waiting behind it (and the next interval) rely on.
	if err := v.read(context.WithoutCancel(ctx)); err != nil {
		v.logger.WarnContext(ctx, "re-reading the bot token failed; keeping the tokens held", "error", err,
			"retry_after_s", v.nextRead.Sub(v.now()).Seconds())
		return false
	}
	v.logger.InfoContext(ctx, "bot token re-read after a key mismatch", "tokens", v.keys.Len())
	return true
}

// read fetches the tokens under the refresh timeout and stores them. The
// next read is due one interval after a completed read, or
// RefreshRetryAfterFailure (at most the interval) after a failed one, so
// failures are bounded too. v.mu must be held.
func (v *RefreshingVerifier) read(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	tokens, err := v.source(ctx)
	if err != nil {
		v.nextRead = v.now().Add(min(RefreshRetryAfterFailure, v.interval))
		return err
	}
	v.keys.Set(tokens...)
	v.nextRead = v.now().Add(v.interval)
	return nil
}
