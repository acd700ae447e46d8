// Package firestorestore keeps the bots' per-user state (handler.Store) in
// Cloud Firestore (native mode), through Firestore's REST API (v1) over
// net/http: no gRPC and no Google client library, so a Cloud Function that
// keeps state links only net/http, encoding/json and golang.org/x/oauth2.
//
//	s, err := firestorestore.New(project, database, collection)
//	// locally, against the emulator (FIRESTORE_EMULATOR_HOST):
//	s, err := firestorestore.New(project, database, collection, firestorestore.WithEmulator(host))
//
// New reads no environment and makes no call. The first call finds
// Google's Application Default Credentials (GOOGLE_APPLICATION_CREDENTIALS,
// gcloud's file, or the metadata server: the runtime's service account on
// Cloud Functions) and asks them for an access token with the datastore
// scope, renewed before it expires. The runtime's service account needs
// roles/datastore.user on the database. WithEmulator talks plain http to
// the emulator as its admin ("Bearer owner"), with no credentials; any other
// endpoint (WithEndpoint) must be https://, or http:// on loopback only.
//
// # The documents (a contract: terraform/ sets the TTL policy on expires)
//
// One document per key in one collection (New's collection argument), as
// Google's Go client wrote them before this package spoke REST:
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
// fails with INVALID_ARGUMENT, not a conflict. Firestore advises at most about
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
//   - a transaction (beginTransaction, a read under lock, compare, commit):
//     three round trips and one more billed read per Put, and under
//     contention native mode's pessimistic locks make losers wait and abort;
//   - a commit of one write with an updateTime precondition: one round trip,
//     one write, failing with FAILED_PRECONDITION when anything wrote the
//     document since the time given.
//
// Store takes the second. Get (documents.get) and Put (documents:commit)
// remember, per key, the document's update time at the version they read or
// wrote, so the turn engine's sequence (Get, Put at that version, Put at the
// next to clear the outbox) costs one read and two commits of one write
// each: exactly the engine's own count of one read and two writes. A
// transaction would cost beginTransaction, a read and a commit per Put,
// seven calls and three billed reads per turn instead of three calls and one
// read (TestFirestore/CallsPerTurn counts the store's calls on the emulator).
//
// The update time is unique per write of a document and every Put changes
// the version, so the precondition holds exactly when the stored version is
// still the one read; what a Store remembers only saves a read, it never
// decides a conflict. A Put at a version this Store has not seen (another
// process read it, or the memory was trimmed) first reads the document: one
// more read, same guarantee. Version 0 is a create (precondition: the
// document does not exist), failing with ALREADY_EXISTS. Both failures, and
// a document gone (NOT_FOUND) under an update, are handler.ErrConflict; a
// create answered NOT_FOUND (no such database) is an error naming it.
//
// The memory is at most MaxRemembered keys (a key, a version and a
// timestamp each); past that it forgets an arbitrary half, costing those
// keys one read on their next Put.
//
// # Errors and retries
//
// An error names the call, the HTTP status and Firestore's status and
// message (e.g. "403 Forbidden: PERMISSION_DENIED: Missing or insufficient
// permissions."), never the access token. Answers are read up to a bound
// (4 MiB for a document), redirects are not followed, and every call
// honours its context. Like Google's client, a read is retried when
// Firestore is unavailable, overloaded, or answers INTERNAL or
// DEADLINE_EXCEEDED, and a commit when unavailable or overloaded, and both
// when the connection fails: up to 6 attempts in all, backing off from
// 100 ms, doubling, with jitter (WithRetry). A commit retried after the
// first attempt had committed fails its precondition and Put reports a
// conflict for a write that happened; the turn engine then reloads and
// finds its own commit (its outbox entry), as for a redelivery.
package firestorestore
