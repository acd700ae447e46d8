package lambdaadapter_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	lambdaadapter "github.com/sociogram-kit/kit/adapters/lambda"
	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/sociogramtest"
)

// fakeSecret is a TokenSource that honours its context, as the SDK does, and
// counts reads.
type fakeSecret struct {
	mu      sync.Mutex
	tokens  []string
	err     error
	reads   atomic.Int64
	gate    chan struct{} // when set, a read waits for it
	started chan struct{} // when set, told of every read
}

func (s *fakeSecret) read(ctx context.Context) ([]string, error) {
	s.reads.Add(1)
	if s.started != nil {
		s.started <- struct{}{}
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens, s.err
}

func (s *fakeSecret) set(err error, tokens ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens, s.err = tokens, err
}

func newVerifier(t *testing.T, src *fakeSecret, clock *sociogramtest.Clock) (*lambdaadapter.RefreshingVerifier, *handler.Keyring) {
	t.Helper()
	keys := handler.NewKeyring()
	v := lambdaadapter.NewRefreshingVerifier(keys, src.read, lambdaadapter.WithClock(clock.Now),
		lambdaadapter.WithRefreshInterval(30*time.Second), lambdaadapter.WithRefreshLogger(discardLogger()))
	if err := v.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	return v, keys
}

// TestRefreshIgnoresRequestCancellation: a bad-key request whose context is
// already cancelled (the caller hung up) still completes the re-read, so the
// rotated token works at once instead of after the interval.
func TestRefreshIgnoresRequestCancellation(t *testing.T) {
	src := &fakeSecret{tokens: []string{"old-token"}}
	clock := sociogramtest.NewClock(time.Unix(1_800_000_000, 0))
	v, _ := newVerifier(t, src, clock)
	clock.Advance(31 * time.Second)
	src.set(nil, "new-token")

	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if v.Verify(cancelled, "bad-key") {
		t.Fatal("a bad key was accepted")
	}
	if !v.Verify(context.Background(), "new-token") {
		t.Error("the rotated token is refused after a cancelled bad-key request: the re-read ran under the request's cancellation")
	}
	if n := src.reads.Load(); n != 2 {
		t.Errorf("%d reads, want 2 (the load and one re-read)", n)
	}
}

// TestRefreshFailureRetriesSooner: a failed read does not use up the
// interval: the next miss a few seconds on reads again.
func TestRefreshFailureRetriesSooner(t *testing.T) {
	src := &fakeSecret{tokens: []string{"old-token"}}
	clock := sociogramtest.NewClock(time.Unix(1_800_000_000, 0))
	v, _ := newVerifier(t, src, clock)
	clock.Advance(31 * time.Second)
	src.set(errors.New("secrets manager throttled"))
	if v.Verify(context.Background(), "new-token") {
		t.Fatal("accepted while the read fails")
	}
	src.set(nil, "new-token")
	if v.Verify(context.Background(), "new-token") {
		t.Error("read again at once after a failure: failures are not bounded")
	}
	clock.Advance(lambdaadapter.RefreshRetryAfterFailure)
	if !v.Verify(context.Background(), "new-token") {
		t.Errorf("the rotated token is refused %s after a failed read (the interval is 30 s)", lambdaadapter.RefreshRetryAfterFailure)
	}
	if n := src.reads.Load(); n != 3 {
		t.Errorf("%d reads, want 3", n)
	}
}

// TestRefreshReadIsBounded: the re-read has its own timeout even though it
// is detached from the request.
func TestRefreshReadIsBounded(t *testing.T) {
	src := &fakeSecret{tokens: []string{"old-token"}}
	clock := sociogramtest.NewClock(time.Unix(1_800_000_000, 0))
	keys := handler.NewKeyring()
	v := lambdaadapter.NewRefreshingVerifier(keys, src.read, lambdaadapter.WithClock(clock.Now),
		lambdaadapter.WithRefreshTimeout(50*time.Millisecond), lambdaadapter.WithRefreshLogger(discardLogger()))
	if err := v.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	clock.Advance(31 * time.Second)
	src.gate = make(chan struct{}) // never opened: the read hangs until its timeout
	start := time.Now()
	if v.Verify(context.Background(), "bad-key") {
		t.Fatal("a bad key was accepted")
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("a hanging read held the request %s", d)
	}
}

// TestRefreshConcurrentMissesShareOneRead: misses that arrive while a read
// is running wait for it and do not read again, even when the miss that
// started the read has a cancelled context.
func TestRefreshConcurrentMissesShareOneRead(t *testing.T) {
	src := &fakeSecret{tokens: []string{"old-token"}}
	clock := sociogramtest.NewClock(time.Unix(1_800_000_000, 0))
	v, _ := newVerifier(t, src, clock)
	clock.Advance(31 * time.Second)
	src.set(nil, "new-token")
	src.gate, src.started = make(chan struct{}), make(chan struct{}, 20)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	var wg sync.WaitGroup
	ok := make(chan bool, 20)
	wg.Go(func() { ok <- v.Verify(cancelled, "new-token") })
	<-src.started // the cancelled miss is reading; the others wait for it
	for range 19 {
		wg.Go(func() { ok <- v.Verify(context.Background(), "new-token") })
	}
	close(src.gate)
	wg.Wait()
	close(ok)
	refused := 0
	for accepted := range ok {
		if !accepted {
			refused++
		}
	}
	if refused > 0 {
		t.Errorf("%d of 20 concurrent misses refused the rotated token", refused)
	}
	if n := src.reads.Load(); n != 2 {
		t.Errorf("%d reads for 20 concurrent misses, want 2 in all", n)
	}
}
