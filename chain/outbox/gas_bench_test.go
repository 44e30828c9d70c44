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
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
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
// through the outbox as the wallet sends it (the patient's signed anchor,
// signature recovery included), and the plain anchor beside it — and the
// naive design (one storage slot per record, see naiveRegistryCode) in the
// same run. Targets: at most 220 gas per record at 256 (signed), at most
// 55,000 for one record alone.
func BenchmarkAnchorGas(b *testing.B) {
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("batch=%d", n), func(b *testing.B) {
			e := newEnv(b)
			naive, _ := e.sendAndMeasure(nil, common.FromHex(naiveRegistryCode))
			var signedGas, plainGas, naiveGas uint64
			for b.Loop() {
				leaves := randomLeaves(n)
				root := merkle.Root(leaves)
				signedGas = e.viaOutbox("anchor", e.signedAnchor(root, uint32(n)))
				plainGas = e.viaOutbox("anchor", e.reg.PackAnchor(merkle.Root(randomLeaves(n)), uint32(n)))
				var calldata []byte
				for _, l := range leaves {
					calldata = append(calldata, l[:]...)
				}
				_, naiveGas = e.sendAndMeasure(&naive.ContractAddress, calldata)
				e.clock = e.clock.Add(time.Second)
			}
			perRecord := float64(signedGas) / float64(n)
			b.ReportMetric(perRecord, "gas/record")
			b.ReportMetric(float64(plainGas)/float64(n), "plain-gas/record")
			b.ReportMetric(float64(naiveGas)/float64(n), "naive-gas/record")
			b.ReportMetric(float64(signedGas), "gas/tx")
			if n == 1 && signedGas > 55_000 {
				b.Errorf("one record alone costs %d gas, over the 55,000 target", signedGas)
			}
			if n == 256 && perRecord > 220 {
				b.Errorf("%.1f gas per record at 256, over the 220 target", perRecord)
			}
		})
	}
}

// BenchmarkRegistryGas measures the grant, delegation and access-log calls
// from their receipts, sent through the outbox (Osaka schedule): each signed
// form (signature recovery included) and each plain one. Targets: a signed
// grant ≤ 55,000; a signed revoke ≤ 35,000.
func BenchmarkRegistryGas(b *testing.B) {
	e := newEnv(b)
	sign := e.signer()
	accessKey, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	access := chain.Signer{Key: accessKey, ChainID: e.net.ChainID, Registry: e.net.Registry}
	must := func(data []byte, err error) []byte {
		b.Helper()
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	nonce := uint64(0)
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
		plain := root(fmt.Sprint("plain grant ", i))
		other := root(fmt.Sprint("grant for ", i))
		delegate := common.BigToAddress(big.NewInt(int64(1000 + i)))
		plainDelegate := common.BigToAddress(big.NewInt(int64(1_000_000 + i)))
		gas["issueGrantSigned"] = e.viaOutbox("grant", must(sign.IssueGrant(e.from, digest, access.Address(), expiry, expiry)))
		gas["issueGrant"] = e.viaOutbox("grant", e.reg.PackIssueGrant(plain, access.Address(), expiry))
		gas["issueGrantFor"] = e.viaOutbox("grant", e.reg.PackIssueGrantFor(e.from, other, access.Address(), expiry))
		grantKey := chain.GrantKey(e.from, digest)
		gas["logAccess"] = e.viaOutbox("access", must(access.LogAccess(grantKey, root(fmt.Sprint("entry ", i)), expiry)))
		gas["revokeGrantSigned"] = e.viaOutbox("revoke", must(sign.RevokeGrant(e.from, digest, expiry)))
		gas["revokeGrant"] = e.viaOutbox("revoke", e.reg.PackRevokeGrant(e.from, plain))
		gas["setDelegateSigned"] = e.viaOutbox("delegate", must(sign.SetDelegate(delegate, 3, expiry, root("scope"), nonce, expiry)))
		gas["revokeDelegateSigned"] = e.viaOutbox("undelegate", must(sign.RevokeDelegate(delegate, nonce+1, expiry)))
		nonce += 2
		gas["setDelegate"] = e.viaOutbox("delegate", e.reg.PackSetDelegate(plainDelegate, 3, expiry, root("scope")))
		gas["revokeDelegate"] = e.viaOutbox("undelegate", e.reg.PackRevokeDelegate(plainDelegate))
	}
	targets := map[string]uint64{"issueGrantSigned": 55_000, "revokeGrantSigned": 35_000}
	for name, g := range gas {
		b.ReportMetric(float64(g), name+"-gas")
		if t, ok := targets[name]; ok && g > t {
			b.Errorf("%s used %d gas, over the %d target", name, g, t)
		}
	}
}
