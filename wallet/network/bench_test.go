package network

import (
	"context"
	"testing"
	"time"
)

// BenchmarkServerSubmit measures one submission through the endpoint over
// loopback: the request's signature, the action's check (simulated on the
// chain) and the send from the node's key; not the wait for a block. It
// reports how long the last one took to be included, too.
func BenchmarkServerSubmit(b *testing.B) {
	s := startServer(b, ServerConfig{PerWalletPerDay: 1 << 30, BudgetPerDay: 1 << 30})
	ctx := context.Background()
	m, err := Fetch(ctx, s.Info().JoinURL)
	if err != nil {
		b.Fatal(err)
	}
	w := newTestWallet(b, m)
	if err := w.client.Enrol(ctx, ""); err != nil {
		b.Fatal(err)
	}
	actions := make([][]byte, b.N)
	for i := range actions {
		actions[i] = w.anchor(b)
	}
	b.ResetTimer()
	var last time.Time
	for i, data := range actions {
		last = time.Now()
		res, err := w.client.Submit(ctx, data)
		if err != nil {
			b.Fatalf("submission %d: %v", i, err)
		}
		if i == len(actions)-1 {
			b.StopTimer()
			waitIncluded(b, w, res.TxHash)
			b.ReportMetric(float64(time.Since(last).Milliseconds()), "ms-to-block")
		}
	}
}
