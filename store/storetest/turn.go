package storetest

import (
	"testing"

	"github.com/sociogram-kit/kit/handler"
)

// RunTurn runs the Turn part of the suite: a real *handler.Mux on the store.
func RunTurn(t *testing.T, newStore func(t *testing.T) handler.Store) {
	t.Skip("the turn-level part lands with the turn engine")
}
