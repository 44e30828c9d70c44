package chain

import (
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
)

// Both the real client and the simulated backend's satisfy Client.
var (
	_ Client = (*ethclient.Client)(nil)
	_ Client = simulated.Client(nil)
)
