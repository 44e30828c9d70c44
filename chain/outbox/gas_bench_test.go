package outbox_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"healthwallet/chain/merkle"
	"healthwallet/chain/outbox"
)

// naiveRegistryCode is the naive design the issue measures anchoring against:
// one storage slot per record. Its runtime stores 1 under every 32-byte word
// of its calldata (sstore(word, 1) for each commitment), hand-assembled so
// that it needs no compiler:
//
//	00 PUSH1 0        i = 0
//	02 JUMPDEST       loop:
//	03 CALLDATASIZE
//	04 DUP2
//	05 LT             i < size
//	06 ISZERO
//	07 PUSH1 0x15
//	09 JUMPI          → end when done
//	0a PUSH1 1
//	0c DUP2
//	0d CALLDATALOAD   word = calldata[i:i+32]
//	0e SSTORE         storage[word] = 1
//	0f PUSH1 0x20
//	11 ADD            i += 32
//	12 PUSH1 2
//	14 JUMP           → loop
//	15 JUMPDEST       end:
//	16 STOP
//
// The init code before it copies those 23 bytes to memory and returns them.
// Sending all of a batch's commitments in one transaction is the naive
// design at its cheapest: no per-transaction base cost per record.
const naiveRegistryCode = "6017600c60003960176000f3" + "60005b3681101560155760018135556020016002565b00"

// sendAndMeasure sends a transaction from the patient and returns its gas used.
func (e *env) sendAndMeasure(to *common.Address, data []byte) (*types.Receipt, uint64) {
	e.t.Helper()
	ctx := context.Background()
	client := e.sim.Client()
	nonce, err := client.PendingNonceAt(ctx, e.from)
	if err != nil {
		e.t.Fatal(err)
	}
	tx, err := types.SignTx(types.NewTx(&types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Nonce: nonce, To: to, Data: data,
		Gas: 10_000_000, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(20e9),
	}), types.LatestSignerForChainID(big.NewInt(1337)), e.key)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := client.SendTransaction(ctx, tx); err != nil {
		e.t.Fatal(err)
	}
	e.sim.Commit()
	rc, err := client.TransactionReceipt(ctx, tx.Hash())
	if err != nil || rc.Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("receipt: %+v, %v", rc, err)
	}
	return rc, rc.GasUsed
}

// viaOutbox queues one registry call, drains it to its block and returns the
// gas its receipt shows.
func (e *env) viaOutbox(kind string, data []byte) uint64 {
	e.t.Helper()
	var row outbox.Row
	if err := e.store.Update(func(tx outbox.Tx) error {
		var err error
		row, err = outbox.Enqueue(tx, kind, nil, data)
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	ob := e.outbox()
	e.drain(ob)
	e.sim.Commit()
	e.drain(ob)
	got := e.row(row.ID)
	if got.State != outbox.Included || got.Inclusion.GasUsed == 0 {
		e.t.Fatalf("%s did not land: %+v", kind, got)
	}
	return got.Inclusion.GasUsed
}

func randomLeaves(n int) [][32]byte {
	leaves := make([][32]byte, n)
	for i := range leaves {
		rand.Read(leaves[i][:])
	}
	return leaves
}

// BenchmarkAnchorGas measures, from receipts on a simulated chain with the
// public chains' gas schedule (Osaka), what anchoring costs per record at
// batches of 1, 16 and 256 — one registry transaction per Merkle root, sent
// through the outbox as the wallet sends it — beside the naive design (one
// storage slot per record, see naiveRegistryCode) in the same run. Targets:
// at most 200 gas per record at 256, at most 50,000 for one record alone.
func BenchmarkAnchorGas(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			e := newEnv(b)
			naive, _ := e.sendAndMeasure(nil, common.FromHex(naiveRegistryCode))
			var anchorGas, naiveGas uint64
			for b.Loop() {
				leaves := randomLeaves(n)
				root := merkle.Root(leaves)
				anchorGas = e.viaOutbox("anchor", e.reg.PackAnchor(root, uint32(n)))
				var calldata []byte
				for _, l := range leaves {
					calldata = append(calldata, l[:]...)
				}
				_, naiveGas = e.sendAndMeasure(&naive.ContractAddress, calldata)
				e.clock = e.clock.Add(time.Second)
			}
			perRecord := float64(anchorGas) / float64(n)
			b.ReportMetric(perRecord, "gas/record")
			b.ReportMetric(float64(naiveGas)/float64(n), "naive-gas/record")
			b.ReportMetric(float64(anchorGas), "gas/tx")
			if n == 1 && anchorGas > 50_000 {
				b.Errorf("one record alone costs %d gas, over the 50,000 target", anchorGas)
			}
			if n == 256 && perRecord > 200 {
				b.Errorf("%.1f gas per record at 256, over the 200 target", perRecord)
			}
		})
	}
}

// BenchmarkRegistryGas measures the grant and delegation calls from their
// receipts, sent through the outbox (Osaka schedule). Targets: issueGrant ≤
// 50,000; revokeGrant ≤ 30,000; setDelegate ≤ 50,000; logAccess ≤ 30,000.
func BenchmarkRegistryGas(b *testing.B) {
	e := newEnv(b)
	var gas = map[string]uint64{}
	i := 0
	for b.Loop() {
		i++
		h, err := e.sim.Client().HeaderByNumber(context.Background(), nil)
		if err != nil {
			b.Fatal(err)
		}
		expiry := h.Time + 3600
		digest := root(fmt.Sprint("grant ", i))
		delegate := common.BigToAddress(big.NewInt(int64(1000 + i)))
		gas["issueGrant"] = e.viaOutbox("grant", e.reg.PackIssueGrant(digest, expiry))
		gas["logAccess"] = e.viaOutbox("access", e.reg.PackLogAccess(digest, root("TREAT")))
		gas["revokeGrant"] = e.viaOutbox("revoke", e.reg.PackRevokeGrant(digest))
		gas["setDelegate"] = e.viaOutbox("delegate", e.reg.PackSetDelegate(delegate, 3, expiry))
	}
	targets := map[string]uint64{"issueGrant": 50_000, "revokeGrant": 30_000, "setDelegate": 50_000, "logAccess": 30_000}
	for name, g := range gas {
		b.ReportMetric(float64(g), name+"-gas")
		if g > targets[name] {
			b.Errorf("%s used %d gas, over the %d target", name, g, targets[name])
		}
	}
}
