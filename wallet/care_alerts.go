package wallet

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain"
	"healthwallet/chain/contracts"
	"healthwallet/wallet/care"
	"healthwallet/wallet/vault"
)

// A caregiver's break-glass alerts (issue 9): every opening of a patient's
// emergency card is logged on chain (the registry's AccessLogged event under
// the card grant's key), and the patient's care copy names that grant key
// (never the card's link key, which would open the card). CareSync reads the
// chain's events for it and reports each opening once.

// EmergencyOpening is one opening of a cared-for person's emergency card, as
// the chain recorded it: when (the block's time) and in which transaction.
// Who opened it cannot be known to the caregiver: what the opener said is
// sealed to the patient, and the chain holds only a salted commitment to it.
type EmergencyOpening struct {
	Time   time.Time `json:"time"`
	TxHash string    `json:"txHash"`
	Block  uint64    `json:"block"`
	// Seen is when this wallet first saw the opening.
	Seen time.Time `json:"seen"`
}

const spaceCareEmergency = "care/emergency"

// careWatch is the wallet's sealed record of one person's emergency card
// openings: the grant keys watched (a renewed card has a new one; the old
// one's late records still count) and the openings seen.
type careWatch struct {
	Keys     []common.Hash `json:"keys"`
	Openings []careOpening `json:"openings"`
}

type careOpening struct {
	EmergencyOpening
	// Entry is the chain's entry (a salted commitment, unique per logging):
	// an opening is reported once per entry.
	Entry common.Hash `json:"entry"`
}

func careWatchKey(patient common.Address) []byte { return []byte(strings.ToLower(patient.Hex())) }

// careWatchOf reads the person's watch (zero when none).
func (w *Wallet) careWatchOf(patient common.Address) (careWatch, error) {
	var cw careWatch
	err := w.vault.View(func(tx *vault.ReadTx) error {
		v, ok, err := tx.State(spaceCareEmergency, careWatchKey(patient))
		if err != nil || !ok {
			return err
		}
		return json.Unmarshal(v, &cw)
	})
	if err != nil {
		return careWatch{}, fmt.Errorf("reading the emergency card openings seen: %w", mapVaultError(err))
	}
	return cw, nil
}

// emergencyOpenings are the person's openings seen, oldest first.
func (w *Wallet) emergencyOpenings(patient common.Address) []EmergencyOpening {
	cw, err := w.careWatchOf(patient)
	if err != nil {
		return nil
	}
	return cw.list()
}

func (cw careWatch) list() []EmergencyOpening {
	var out []EmergencyOpening
	for _, o := range cw.Openings {
		out = append(out, o.EmergencyOpening)
	}
	return out
}

// watchEmergency reads the chain's AccessLogged events of the person's
// emergency card grant keys (grantKey, from the verified copy, joins those
// watched before; zero adds none) and returns the openings not seen before,
// oldest first, after saving them as seen.
func (w *Wallet) watchEmergency(ctx context.Context, c caredRecord, inv care.Invitation, grantKey common.Hash) ([]EmergencyOpening, error) {
	cw, err := w.careWatchOf(c.Patient)
	if err != nil {
		return nil, err
	}
	if grantKey != (common.Hash{}) && !slices.Contains(cw.Keys, grantKey) {
		cw.Keys = append(cw.Keys, grantKey)
	}
	if len(cw.Keys) == 0 {
		return nil, nil // no card to watch
	}
	_, n, closeChain, err := w.careChain(ctx, inv)
	if err != nil {
		return nil, err
	}
	defer closeChain()
	found, err := accessLogged(ctx, n, cw.Keys)
	if err != nil {
		return nil, fmt.Errorf("reading %s's emergency card openings from the chain: %w", c.name(), err)
	}

	var fresh []EmergencyOpening
	err = w.vault.Update(func(tx *vault.Tx) error {
		var cur careWatch // again, inside the transaction: a concurrent sync may have saved
		if v, ok, err := tx.State(spaceCareEmergency, careWatchKey(c.Patient)); err != nil {
			return err
		} else if ok {
			if err := json.Unmarshal(v, &cur); err != nil {
				return fmt.Errorf("the emergency card openings seen are unreadable: %w", err)
			}
		}
		for _, k := range cw.Keys {
			if !slices.Contains(cur.Keys, k) {
				cur.Keys = append(cur.Keys, k)
			}
		}
		seen := map[common.Hash]bool{}
		for _, o := range cur.Openings {
			seen[o.Entry] = true
		}
		for _, o := range found {
			if seen[o.Entry] {
				continue
			}
			seen[o.Entry] = true
			o.Seen = now().UTC()
			cur.Openings = append(cur.Openings, o)
			fresh = append(fresh, o.EmergencyOpening)
		}
		slices.SortStableFunc(cur.Openings, func(a, b careOpening) int { return a.Time.Compare(b.Time) })
		b, err := jsonMarshal(cur)
		if err != nil {
			return err
		}
		return tx.PutState(spaceCareEmergency, careWatchKey(c.Patient), b)
	})
	if err != nil {
		return nil, fmt.Errorf("saving %s's emergency card openings: %w", c.name(), mapVaultError(err))
	}
	slices.SortStableFunc(fresh, func(a, b EmergencyOpening) int { return a.Time.Compare(b.Time) })
	return fresh, nil
}

// accessLogged reads the registry's AccessLogged events under keys, each
// with its block's time.
func accessLogged(ctx context.Context, n *chain.Network, keys []common.Hash) ([]careOpening, error) {
	reg := contracts.NewHealthRegistry()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	logs, err := n.Client.FilterLogs(cctx, ethereum.FilterQuery{
		FromBlock: new(big.Int), Addresses: []common.Address{n.Registry},
		Topics: [][]common.Hash{{reg.GetABI().Events["AccessLogged"].ID}, keys},
	})
	if err != nil {
		return nil, fmt.Errorf("reading the access events (is the chain reachable?): %w", err)
	}
	times := map[uint64]time.Time{}
	var out []careOpening
	for i := range logs {
		l := &logs[i]
		if l.Removed {
			continue
		}
		ev, err := reg.UnpackAccessLoggedEvent(l)
		if err != nil || !slices.Contains(keys, common.Hash(ev.GrantKey)) {
			continue // not an event of these grants
		}
		t, ok := times[l.BlockNumber]
		if !ok && l.BlockTimestamp != 0 {
			t, ok = time.Unix(int64(l.BlockTimestamp), 0).UTC(), true
		}
		if !ok {
			h, err := n.Client.HeaderByNumber(cctx, new(big.Int).SetUint64(l.BlockNumber))
			if err != nil {
				return nil, fmt.Errorf("reading block %d: %w", l.BlockNumber, err)
			}
			t = time.Unix(int64(h.Time), 0).UTC()
		}
		times[l.BlockNumber] = t
		out = append(out, careOpening{EmergencyOpening: EmergencyOpening{Time: t, TxHash: l.TxHash.Hex(), Block: l.BlockNumber}, Entry: ev.Entry})
	}
	return out, nil
}
