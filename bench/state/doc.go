// Package state measures the kit's per-user state (handler.NewState,
// handler.WithStore) for BENCHMARKS.md's "Per-user state":
//
//   - store calls per kind of turn (no state used, reads only, changes
//     state with and without replies, a reply refused, its redelivery, a
//     lost race, a read that renews the TTL), counted at the handler.Store
//     port and on the wire, on memstore, DynamoDB (moto) and Firestore (the
//     emulator): TestCallsPerTurn;
//   - a stateful turn of the kit (a *handler.Mux whose handler increments a
//     per-user counter and replies) against Floor, the same bot written by
//     hand with the same get and conditional put through the same client,
//     in alternating trials of one process: TestKitVsFloor (wall and CPU
//     per turn, ratios with 95% confidence intervals), on memstore against
//     a map under a mutex and on DynamoDB (moto, the real SDK over real
//     HTTP) against DynamoStore; BenchmarkTurn is the in-memory pair under
//     go test -bench.
//
// A plain go test runs a smoke pass only (memstore, a few turns, the kit and
// the floor checked to reply and count alike). The measured run:
//
//	make bench-state
//
// which is go test -run 'TestCallsPerTurn|TestKitVsFloor' -args
// -state.full (flags -state.trials, -state.turns, -state.users,
// -state.memturns, -state.out) and then the benchmarks.
package state
