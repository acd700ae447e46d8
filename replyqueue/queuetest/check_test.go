package queuetest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// failures records what Check reports instead of failing the test.
type failures struct {
	testing.TB
	msgs []string
}

func (f *failures) Helper() {}
func (f *failures) Errorf(format string, args ...any) {
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
}

// TestCheckCatches: the checks the queue tests rely on do fail.
func TestCheckCatches(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	paced := func(n int) []Stamped {
		var s []Stamped
		for uid := int64(1); uid <= int64(n); uid++ {
			s = append(s, Stamped{UID: uid, Text: reply(Text(uid, 1)), At: t0.Add(time.Duration(uid) * 1100 * time.Millisecond)})
		}
		return s
	}
	tests := []struct {
		name string
		sent []Stamped
		want string
	}{
		{"ok", paced(70), ""},
		{"missing", paced(69), "never delivered"},
		{"duplicate", append(paced(70), Stamped{UID: 70, Text: reply(Text(70, 1)), At: t0.Add(time.Hour)}), "more than once"},
		{"too fast", func() []Stamped {
			s := paced(70)
			for i := range s {
				s[i].At = t0.Add(time.Duration(i) * 900 * time.Millisecond)
			}
			return s
		}(), "61 replies within"},
		{"same user too soon", append(paced(69), Stamped{UID: 69, Text: reply(Text(70, 1)), At: t0.Add(69*1100*time.Millisecond + time.Millisecond)}), "two replies"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &failures{TB: t}
			Check(f, tt.sent, 70, 0)
			got := strings.Join(f.msgs, "\n")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("Check reported %q, want %q", got, tt.want)
			}
		})
	}
	f := &failures{TB: t}
	Check(f, []Stamped{{UID: 1, Text: reply(Text(1, 2)), At: t0}, {UID: 1, Text: reply(Text(1, 1)), At: t0.Add(2 * time.Second)}}, 1, 1)
	if !strings.Contains(strings.Join(f.msgs, "\n"), "after") {
		t.Errorf("out-of-order replies not reported: %q", f.msgs)
	}
}
