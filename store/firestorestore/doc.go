// Package firestorestore keeps the bots' per-user state (handler.Store) in
// Cloud Firestore (native mode), through the official client
// cloud.google.com/go/firestore.
//
// # The documents (a contract: terraform/ sets the TTL policy on expires)
//
// One document per key in one collection (New's collection argument):
//
//	field    type       meaning
//	version  integer    the record's version: 1 after the first Put, +1 per Put
//	data     bytes      the record's bytes, opaque to the store
//	expires  timestamp  Record.Expires: the collection's TTL policy field
//	                    (absent when Record.Expires is zero: never expires)
//
// The document id is the key with every byte other than an ASCII letter,
// digit, "-" or "_" percent-encoded, and a leading "__" as "%5F_" (Firestore
// forbids "/" in an id, and "." , ".." and "__...__" as ids): decimal uids,
// the turn engine's keys, are their own ids. Firestore
// deletes an expired document lazily (typically within a day), so Get still
// returns it: the turn engine checks Record.Expires on read.
//
// A document holds at most 1 MiB (Firestore's limit): a Put of larger Data
// fails with InvalidArgument, not a conflict. Firestore advises at most about
// one sustained write per second to one document, and a turn that replies
// writes its user's document twice: one user sustaining more than a turn
// every two seconds is past that advice (bursts are fine; contention shows
// as conflicts and retried turns).
//
// # Calls, and why not a transaction
//
// Firestore's only write preconditions are "exists" and "last update time":
// no condition on a field. Two ways give a compare-and-set on version:
//
//   - a transaction (BeginTransaction, a Get under lock, compare, Set,
//     Commit): three round trips and one more billed read per Put, and under
//     contention native mode's pessimistic locks make losers wait and abort;
//   - an Update with a LastUpdateTime precondition: one round trip, one write,
//     failing with FailedPrecondition when anything wrote the document since
//     the time given.
//
// Store takes the second. Get and Put remember, per key, the document's
// update time at the version they read or wrote, so the turn engine's
// sequence (Get, Put at that version, Put at the next to clear the outbox)
// costs one BatchGetDocuments and two Commits, one write each: exactly the
// engine's own count of one read and two writes. A transaction would cost
// BeginTransaction, BatchGetDocuments and Commit per Put, seven RPCs and
// three billed reads per turn instead of three RPCs and one read
// (TestFirestore/CallsPerTurn counts both on the emulator).
//
// The update time is unique per write of a document and every Put changes
// the version, so the precondition holds exactly when the stored version is
// still the one read; what a Store remembers only saves a read, it never
// decides a conflict. A Put at a version this Store has not seen (another
// process read it, or the memory was trimmed) first reads the document: one
// more read, same guarantee. Version 0 is a Create, failing with
// AlreadyExists. Both failures are handler.ErrConflict.
//
// The memory is at most MaxRemembered keys (a key, a version and a
// timestamp each); past that it forgets an arbitrary half, costing those
// keys one read on their next Put.
//
// The runtime's service account needs roles/datastore.user on the project.
//
// The client retries a commit that failed on the wire (Unavailable); when
// the first attempt had committed, the retry's precondition fails and Put
// reports a conflict for a write that happened. The turn engine then
// reloads and finds its own commit (its outbox entry), as for a redelivery.
package firestorestore
