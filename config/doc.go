// Package config reads a bot's configuration from the environment: the
// variables of the README's configuration table, with the same names,
// defaults and errors in every adapter and in every bot project.
//
// It reads nothing by itself: FromEnv takes a getenv function, so a main
// passes os.Getenv and a test passes a map's lookup. The adapters' one-call
// entry points (httpadapter.Run, lambdaadapter.WebhookFunction, gcfadapter.RegisterFunctions)
// call it; a bot built by hand uses it like this:
//
//	cfg, err := config.FromEnv(os.Getenv)
//	if err != nil { ... }                  // the error names the variable
//	logger := cfg.NewLogger(os.Stderr)
//	keys := handler.NewKeyring(cfg.Tokens...)
//	mux, err := cfg.NewMux(keys, logger, bot.Register)
package config
