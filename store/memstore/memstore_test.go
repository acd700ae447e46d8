package memstore_test

import (
	"testing"

	"github.com/sociogram-kit/kit/handler"
	"github.com/sociogram-kit/kit/store/memstore"
	"github.com/sociogram-kit/kit/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) handler.Store { return memstore.New() })
}
