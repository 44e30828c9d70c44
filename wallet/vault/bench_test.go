package vault

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

const benchSize = 64 << 20

var benchData = func() func() []byte {
	var b []byte
	return func() []byte {
		if b == nil {
			b = make([]byte, benchSize)
			rand.Read(b)
		}
		return b
	}
}()

// BenchmarkSealAttachment64MiB is the STREAM sealer over 64 MiB, from a
// reader to a writer, as an attachment is sealed.
func BenchmarkSealAttachment64MiB(b *testing.B) {
	data := benchData()
	key := make([]byte, 32)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		if _, err := SealStream(io.Discard, bytes.NewReader(data), key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRawXChaCha64MiB is XChaCha20-Poly1305 sealing the same 64 MiB in
// one call: the ceiling SealAttachment is measured against.
func BenchmarkRawXChaCha64MiB(b *testing.B) {
	data := benchData()
	aead, _ := chacha20poly1305.NewX(make([]byte, 32))
	nonce := make([]byte, nonceSize)
	out := make([]byte, 0, benchSize+tagSize)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		out = aead.Seal(out[:0], nonce, data, nil)
	}
}

// BenchmarkOpenAttachment64MiB is the STREAM opener over the same data.
func BenchmarkOpenAttachment64MiB(b *testing.B) {
	key := make([]byte, 32)
	var sealed bytes.Buffer
	SealStream(&sealed, bytes.NewReader(benchData()), key)
	b.SetBytes(benchSize)
	b.ResetTimer()
	for b.Loop() {
		if _, err := OpenStream(io.Discard, bytes.NewReader(sealed.Bytes()), key); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddVersion stores record-sized (2 KiB) bodies, 1000 per Update,
// as an import does; each op is one batch, fsync included.
func BenchmarkAddVersion(b *testing.B) {
	v, _ := newVault(b)
	body := make([]byte, 2048)
	meta := make([]byte, 200)
	rand.Read(body)
	b.SetBytes(1000 * int64(len(body)))
	batch := 0
	for b.Loop() {
		err := v.Update(func(tx *Tx) error {
			for i := range 1000 {
				if _, err := tx.AddVersion(v.RecordID(fmt.Sprint(batch, "/", i)), meta, body); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		batch++
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "records/s")
}

// BenchmarkSealVsRawRatio interleaves STREAM sealing of the 64 MiB buffer and
// one raw XChaCha20-Poly1305 call over the same buffer, in the same run, and
// reports the throughput ratio seal/raw (target ≥ 0.7). Interleaving keeps a
// busy machine from favouring whichever ran first.
func BenchmarkSealVsRawRatio(b *testing.B) {
	data := benchData()
	key := make([]byte, 32)
	aead, _ := chacha20poly1305.NewX(key)
	nonce := make([]byte, nonceSize)
	out := make([]byte, 0, benchSize+tagSize)
	var seal, raw time.Duration
	b.SetBytes(2 * benchSize)
	for b.Loop() {
		start := time.Now()
		out = aead.Seal(out[:0], nonce, data, nil)
		raw += time.Since(start)
		start = time.Now()
		if _, err := SealStream(io.Discard, bytes.NewReader(data), key); err != nil {
			b.Fatal(err)
		}
		seal += time.Since(start)
	}
	b.ReportMetric(raw.Seconds()/seal.Seconds(), "seal/raw")
}
