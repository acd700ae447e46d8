package queuetest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/botapi"
)

// FairStats are the numbers of a fairness run: one user floods, others
// each send one message.
type FairStats struct {
	Sent         int           // replies accepted by the fake Bot API
	OthersWorst  time.Duration // the longest an other user's reply took from its arrival
	FloodSent    int           // the flooding user's replies
	FloodPerMin  float64       // the flooding user's sends per minute, first to last
	MaxPerWindow int           // most sends of the bot in any botapi.BotWindow
	MinSpacing   time.Duration // the closest two sends to one user (0: no user got two)
}

func (s FairStats) String() string {
	return fmt.Sprintf("%d sent; others' worst wait %s; flooding user %d sent, %.1f a minute; at most %d in any %s; closest two to one user %s",
		s.Sent, s.OthersWorst.Round(time.Millisecond), s.FloodSent, s.FloodPerMin, s.MaxPerWindow, botapi.BotWindow,
		s.MinSpacing.Round(time.Millisecond))
}

// Fair measures sent: flood is the flooding user, arrived says when each
// other user's message arrived (users it does not name are not measured).
func Fair(sent []Stamped, flood int64, arrived map[int64]time.Time) FairStats {
	sent = slices.Clone(sent)
	slices.SortStableFunc(sent, func(a, b Stamped) int { return a.At.Compare(b.At) })
	s := FairStats{Sent: len(sent)}
	last := map[int64]time.Time{}
	var first, end time.Time
	for i, m := range sent {
		if p, ok := last[m.UID]; ok && (s.MinSpacing == 0 || m.At.Sub(p) < s.MinSpacing) {
			s.MinSpacing = m.At.Sub(p)
		}
		last[m.UID] = m.At
		if a, ok := arrived[m.UID]; ok {
			s.OthersWorst = max(s.OthersWorst, m.At.Sub(a))
		}
		if m.UID == flood {
			if s.FloodSent == 0 {
				first = m.At
			}
			s.FloodSent++
			end = m.At
		}
		j := i
		for j > 0 && m.At.Sub(sent[j-1].At) < botapi.BotWindow {
			j--
		}
		s.MaxPerWindow = max(s.MaxPerWindow, i-j+1)
	}
	if d := end.Sub(first); s.FloodSent > 1 && d > 0 {
		s.FloodPerMin = float64(s.FloodSent-1) / d.Minutes()
	}
	return s
}

// CheckFair fails t unless the flooding user's replies in sent went out in
// the order they were queued ("flood 0", "flood 1", ...) and the platform's
// limits held: at most 60 sends in any minute, none two to one user within
// a second.
func CheckFair(t testing.TB, sent []Stamped, st FairStats, flood int64) {
	t.Helper()
	next := 0
	for _, m := range sent {
		if m.UID == flood {
			if w := fmt.Sprintf("flood %d", next); m.Text != w {
				t.Fatalf("user %d's reply %q sent where %q was due", flood, m.Text, w)
			}
			next++
		}
	}
	if st.MaxPerWindow > 60 || (st.MinSpacing > 0 && st.MinSpacing < time.Second) {
		t.Errorf("limits broken: %d sends in a minute, two to one user %s apart", st.MaxPerWindow, st.MinSpacing)
	}
}

// SentFrom counts the replies in sent to users from uid on (a fairness
// run's other users).
func SentFrom(sent []Stamped, uid int64) int {
	n := 0
	for _, m := range sent {
		if m.UID >= uid {
			n++
		}
	}
	return n
}
