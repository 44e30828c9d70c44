package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// BenchmarkRelayManifest200 is the relay under 200 concurrent manifest
// clients on loopback: each iteration runs 200 goroutines × 20 manifest
// POSTs (with embedded files, and an fsync'd access log entry each) over
// real TCP, and reports p50 and p99 latency and the errors (target 0).
func BenchmarkRelayManifest200(b *testing.B) {
	const (
		clients   = 200
		perClient = 20
		shares    = 20
	)
	tr := newTestRelay(b, func(c *Config) { c.Now = nil })
	tr.clock = nil
	tr.client.Now = nil
	var urls []string
	for range shares {
		info, err := tr.client.CreateShare(context.Background(), CreateRequest{
			Files: []File{
				{ContentType: "application/fhir+json", JWE: sealJWE(b, "application/fhir+json", bytes.Repeat([]byte(bundleText), 20))},
				{ContentType: proofType, JWE: sealJWE(b, proofType, []byte(proofText))},
			},
			Expires:     time.Now().Add(time.Hour),
			SharingKey:  tr.p.sharing.PublicKey(),
			GrantDigest: [32]byte{1},
		})
		if err != nil {
			b.Fatal(err)
		}
		urls = append(urls, info.URL)
	}
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}}
	defer hc.CloseIdleConnections()
	body, _ := json.Marshal(map[string]any{"recipient": "Bench Clinic", "embeddedLengthMax": 1 << 20, "purpose": "TREAT"})

	var (
		mu        sync.Mutex
		latencies []time.Duration
		errs      int
	)
	b.ResetTimer()
	for b.Loop() {
		var wg sync.WaitGroup
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				local := make([]time.Duration, 0, perClient)
				bad := 0
				for i := range perClient {
					start := time.Now()
					resp, err := hc.Post(urls[(c+i)%shares], "application/json", bytes.NewReader(body))
					if err != nil {
						bad++
						continue
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						bad++
						continue
					}
					local = append(local, time.Since(start))
				}
				mu.Lock()
				latencies = append(latencies, local...)
				errs += bad
				mu.Unlock()
			}()
		}
		wg.Wait()
	}
	b.StopTimer()
	slices.Sort(latencies)
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(errs), "errors")
	b.ReportMetric(float64(len(latencies)+errs)/float64(b.N), "requests/op")
	if errs > 0 {
		b.Errorf("%d of %d requests failed", errs, len(latencies)+errs)
	}
}
