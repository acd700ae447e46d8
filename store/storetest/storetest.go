// Package storetest is the conformance suite every handler.Store passes: the
// memory and file stores of the kit, DynamoDB and Firestore alike.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) handler.Store { return memstore.New() })
//	}
//
// Run has two parts. The Store part calls Get and Put directly: a missing key,
// create, stale and future versions refused with ErrConflict and nothing
// changed, a create race with one winner, concurrent increments with no lost
// update, Data bytes round-tripping exactly (binary, empty, ~100 KB), Expires
// round-tripping to the second, an expired record still answered, keys with
// odd characters kept apart. The Turn part runs a real *handler.Mux on the
// store, replying through the fake Bot API of package sociogramtest: 20
// concurrent webhooks from one user each incrementing a counter, a fault
// between commit and send followed by the redelivered webhook, expiry on an
// injected clock, and the store calls a turn makes.
//
// newStore is called once per subtest and must return a store with no
// records, or at least none under the keys the subtest uses: every subtest
// uses keys of its own (random per Run), so one shared table is fine.
package storetest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/sociogram-kit/kit/handler"
)

// Run runs the whole suite against the stores newStore returns.
func Run(t *testing.T, newStore func(t *testing.T) handler.Store) {
	t.Helper()
	t.Run("Store", func(t *testing.T) { RunStore(t, newStore) })
	t.Run("Turn", func(t *testing.T) { RunTurn(t, newStore) })
}

// prefix returns a random key prefix, so runs against one shared table do
// not see each other's records.
func prefix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "storetest-" + hex.EncodeToString(b) + "-"
}
