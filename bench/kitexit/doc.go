// Package kitexit holds the kit's three mains as the benchmark counts their
// instructions: each is the production main of its path (the same imports,
// the same calls; TestSameAsProduction checks the imports) with one
// addition, package bench/internal/benchexit, which serves on a goroutine and
// returns from main when the harness closes SOCIOGRAM_BENCH_EXIT_FIFO, so
// that valgrind's callgrind, which writes its counts only at a normal exit,
// can count a fixed number of requests. Without the variable each behaves
// exactly as its production main.
//
//   - webhook: adapters/http/cmd/webhook (bin/webhook)
//   - gcf: adapters/gcf/cmd/gcf (bin/gcf, the webhook function as deployed)
//   - bootstrap: adapters/lambda/cmd/bootstrap (the Lambda bootstrap)
//
// The load benchmark measures the production binaries themselves; these are
// for bench/load's -callgrind pass only.
package kitexit
