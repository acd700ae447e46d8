package handler

// StatesDeclared reports whether this process has declared any per-user
// state (NewState). A bot without state needs no store: the adapters' entry
// points open one (and make every routed event a turn) only when this is
// true, so a stateless bot pays no store read per webhook.
func StatesDeclared() bool {
	stateNamesMu.Lock()
	defer stateNamesMu.Unlock()
	return len(stateNames) > 0
}
