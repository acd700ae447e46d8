package state

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/internal/testtools"
	"github.com/sociogram-kit/kit/sociogramtest"
	"github.com/sociogram-kit/kit/store/dynamostore"
	"github.com/sociogram-kit/kit/store/memstore"
)

// side is one contestant of the trials.
type side struct {
	name  string
	calls string // its store calls per turn, for the table
	h     http.Handler
	count func(uid int64) int // the user's counter as stored
}

// samples holds per side, per measured trial, the cost of one turn in µs.
type samples struct {
	wall, cpu, child [][]float64
	ops              []map[string]int // per side: wire operations per turn (when counted)
}

// statusWriter is a ResponseWriter that keeps only the status.
type statusWriter struct {
	h    http.Header
	code int
}

func (w *statusWriter) Header() http.Header         { return w.h }
func (w *statusWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *statusWriter) WriteHeader(code int)        { w.code = code }

// processCPU is this process's user+system CPU time.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// childCPU is the user+system CPU time of this process's running children
// (moto_server), from /proc (clock ticks of 10 ms).
func childCPU() time.Duration {
	self := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ... utime stime: fields after the ")".
		f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:]))
		if len(f) < 13 || f[1] != self {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		s, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + s
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// runTrials runs one unmeasured warm-up trial, then n measured trials; in
// each, every side serves nTurns webhooks, spread over nUsers uids new to
// the trial, directly through ServeHTTP; the order of the sides rotates
// from trial to trial so that load from elsewhere falls on all of them.
func runTrials(t *testing.T, sides []side, n, nTurns, nUsers int, w *wire) samples {
	t.Helper()
	s := samples{wall: make([][]float64, len(sides)), cpu: make([][]float64, len(sides)), child: make([][]float64, len(sides)),
		ops: make([]map[string]int, len(sides))}
	for i := range sides {
		s.ops[i] = map[string]int{}
	}
	base := time.Now().UnixNano() / 1e6 * 1000 // fresh uids for every run of the test
	for trial := -1; trial < n; trial++ {
		for k := range sides {
			i := (k + trial + 1) % len(sides)
			wall, cpu, child, ops := serveTurns(t, sides[i], base+int64(trial+1)*int64(nUsers), nTurns, nUsers, w)
			if trial < 0 {
				continue
			}
			per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(nTurns) }
			s.wall[i] = append(s.wall[i], per(wall))
			s.cpu[i] = append(s.cpu[i], per(cpu))
			s.child[i] = append(s.child[i], per(child))
			for op, c := range ops {
				s.ops[i][op] += c
			}
		}
	}
	for i := range sides {
		for op := range s.ops[i] {
			s.ops[i][op] /= n * nTurns
		}
	}
	checkAgree(t, sides, base+int64(n)*int64(nUsers), nTurns, nUsers)
	return s
}

// serveTurns serves nTurns webhooks to one side and returns the wall time,
// this process's CPU time, the children's CPU time and the wire operations.
func serveTurns(t *testing.T, sd side, uid0 int64, nTurns, nUsers int, w *wire) (wall, cpu, child time.Duration, ops map[string]int) {
	reqs := make([]*http.Request, nTurns)
	for i := range reqs {
		reqs[i] = sociogramtest.NewRequest(token, sociogramtest.ChatMessage(uid0+int64(i%nUsers), "add "+strconv.Itoa(i)))
	}
	rw := &statusWriter{h: http.Header{}}
	runtime.GC()
	if w != nil {
		w.take()
	}
	ch0 := childCPU() // reading /proc costs CPU: outside the window
	c0, t0 := processCPU(), time.Now()
	for _, r := range reqs {
		sd.h.ServeHTTP(rw, r)
		if rw.code != http.StatusOK {
			t.Fatalf("%s answered %d", sd.name, rw.code)
		}
	}
	wall = time.Since(t0)
	cpu = processCPU() - c0
	child = childCPU() - ch0
	if w != nil {
		ops = w.take()
	}
	return wall, cpu, child, ops
}

// checkAgree checks that every side counted every user of the last trial
// to the same number: the same work was done.
func checkAgree(t *testing.T, sides []side, uid0 int64, nTurns, nUsers int) {
	t.Helper()
	for u := range min(nUsers, nTurns) {
		uid := uid0 + int64(u)
		want := (nTurns-1-u)/nUsers + 1
		for _, sd := range sides {
			if got := sd.count(uid); got != want {
				t.Errorf("%s: uid %d counted %d, want %d", sd.name, uid, got, want)
			}
		}
	}
}

// kitCount reads uid's counter as the kit stored it.
func kitCount(t *testing.T, s handler.Store) func(int64) int {
	return func(uid int64) int {
		rec, err := s.Get(context.Background(), handler.StoreKey(uid))
		if err != nil {
			t.Fatal(err)
		}
		st, err := handler.DecodeRecordStates(rec, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		var c counter
		if raw, ok := st.States[count.Name()]; ok {
			if err := json.Unmarshal(raw, &c); err != nil {
				t.Fatal(err)
			}
		}
		return c.N
	}
}

// floorCount reads uid's counter as the floor stored it.
func floorCount(t *testing.T, s FloorStore) func(int64) int {
	return func(uid int64) int {
		_, data, _, err := s.Get(context.Background(), strconv.FormatInt(uid, 10))
		if err != nil {
			t.Fatal(err)
		}
		var it floorItem
		if len(data) > 0 {
			if err := json.Unmarshal(data, &it); err != nil {
				t.Fatal(err)
			}
		}
		return it.N
	}
}

// TestKitVsFloor measures a stateful turn of the kit against the floor in
// alternating trials: in memory, and (with -state.full) on DynamoDB under
// moto. Without -state.full it is a smoke pass of a few turns.
func TestKitVsFloor(t *testing.T) {
	n, nTurns, nMem, nUsers := 2, 20, 20, 5
	if *full {
		n, nTurns, nMem, nUsers = *trials, *turns, *memTurns, *users
	}
	if *full {
		report(t, machine())
	}
	t.Run("memory", func(t *testing.T) {
		kitStore, floorStore, outboxStore := memstore.New(), NewMapStore(), NewMapStore()
		sides := []side{
			{"kit (memstore)", "1 Get + 2 Put", newKit(t, kitStore, noopSender), kitCount(t, kitStore)},
			{"floor (map under a mutex)", "1 get + 1 put", newFloor(floorStore, noopSender, false), floorCount(t, floorStore)},
			{"floor + outbox", "1 get + 2 put", newFloor(outboxStore, noopSender, true), floorCount(t, outboxStore)},
		}
		if *control {
			sides[0] = controlSide(t, NewMapStore())
		}
		load0 := loadavg()
		s := runTrials(t, sides, n, nMem, nUsers, nil)
		report(t, trialsTable(fmt.Sprintf("In memory: %d trials × %d turns per side over %d uids per trial; load average %s at the start, %s at the end.",
			n, nMem, nUsers, load0, loadavg()), sides, s, false))
	})
	if !*full {
		return
	}
	t.Run("DynamoDB", func(t *testing.T) {
		url := testtools.StartMoto(t)
		w := newWire()
		c := dynamoClient(url, w) // one client, both sides
		kitStore := dynamostore.New(c, newTable(t, c))
		floorStore := &DynamoStore{Client: c, Table: newTable(t, c)}
		outboxStore := &DynamoStore{Client: c, Table: newTable(t, c)}
		sides := []side{
			{"kit (dynamostore)", "", newKit(t, kitStore, noopSender), kitCount(t, kitStore)},
			{"floor (GetItem + conditional PutItem)", "", newFloor(floorStore, noopSender, false), floorCount(t, floorStore)},
			{"floor + outbox", "", newFloor(outboxStore, noopSender, true), floorCount(t, outboxStore)},
		}
		if *control {
			sides[0] = controlSide(t, &DynamoStore{Client: c, Table: newTable(t, c)})
		}
		load0 := loadavg()
		s := runTrials(t, sides, n, nTurns, nUsers, w)
		report(t, trialsTable(fmt.Sprintf("DynamoDB on moto: %d trials × %d turns per side over %d uids per trial; load average %s at the start, %s at the end.",
			n, nTurns, nUsers, load0, loadavg()), sides, s, true))
	})
}

// controlSide is a second floor in the kit's place, for a control run
// (-state.control): its ratios to the floor measure the method's bias.
func controlSide(t *testing.T, fs FloorStore) side {
	return side{"floor again (control)", "1 get + 1 put", newFloor(fs, noopSender, false), floorCount(t, fs)}
}

// trialsTable renders the samples as markdown: per side the medians, then
// the ratios of the kit to each floor with their 95% intervals.
func trialsTable(title string, sides []side, s samples, remote bool) string {
	var sb strings.Builder
	sb.WriteString(title + "\n\n")
	sb.WriteString("| side | store calls per turn | wall µs/turn | CPU µs/turn, this process |")
	if remote {
		sb.WriteString(" moto CPU µs/turn |")
	}
	sb.WriteString("\n|---|---|---:|---:|")
	if remote {
		sb.WriteString("---:|")
	}
	sb.WriteString("\n")
	for i, sd := range sides {
		calls := sd.calls
		if len(s.ops[i]) > 0 {
			var parts []string
			for _, op := range slices.Sorted(maps.Keys(s.ops[i])) {
				parts = append(parts, fmt.Sprintf("%d %s", s.ops[i][op], op))
			}
			calls = strings.Join(parts, " + ")
		}
		fmt.Fprintf(&sb, "| %s | %s | %.1f | %.1f |", sd.name, calls, median(s.wall[i]), median(s.cpu[i]))
		if remote {
			fmt.Fprintf(&sb, " %.0f |", median(s.child[i]))
		}
		sb.WriteString("\n")
	}
	sb.WriteString("\n| ratio (median of the per-trial ratios, 95% bootstrap CI) | wall per turn | CPU per turn, this process |\n|---|---|---|\n")
	pairs := [][2]int{{0, 1}, {0, 2}, {2, 1}}
	for _, p := range pairs {
		fmt.Fprintf(&sb, "| %s / %s | %s | %s |\n", sides[p[0]].name, sides[p[1]].name,
			ratioCell(ratios(s.wall[p[0]], s.wall[p[1]])), ratioCell(ratios(s.cpu[p[0]], s.cpu[p[1]])))
	}
	return sb.String()
}

func ratioCell(rs []float64) string {
	lo, hi := medianCI(rs)
	return fmt.Sprintf("**%.2f** [%.2f, %.2f]", median(rs), lo, hi)
}

// loadavg returns the 1-, 5- and 15-minute load averages.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}

// machine describes where and when the run happened.
func machine() string {
	model := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	var u syscall.Utsname
	syscall.Uname(&u)
	var rel []byte
	for _, c := range u.Release {
		if c == 0 {
			break
		}
		rel = append(rel, byte(c))
	}
	return fmt.Sprintf("Measured %s on %d vCPU (%s), %s, Linux %s; load average %s at the start.",
		time.Now().UTC().Format("2006-01-02 15:04 MST"), runtime.NumCPU(), model, runtime.Version(), rel, loadavg())
}
