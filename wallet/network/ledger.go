package network

import (
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// This file: what a node remembers of the wallets it pays for, in
// DataDir/network.db (bbolt, as the relay's store): who is enrolled, how
// many actions each sent today and all of them together, and which wallet
// each transaction was sent for. It holds addresses and counts, nothing
// else: no calldata, no health data.

var (
	bucketEnrolled = []byte("enrolled") // address → enrolment time (Unix, 8 bytes)
	bucketUsed     = []byte("used")     // day "2006-01-02" + address → count (4 bytes); day alone → the day's total
	bucketTxs      = []byte("txs")      // tx hash → address + time sent (Unix, 8 bytes)
)

// keepTxs is how long the node remembers whose a transaction was.
const keepTxs = 30 * 24 * time.Hour

// ledger is a node's enrolments and daily counters.
type ledger struct{ db *bolt.DB }

func openLedger(dir string) (*ledger, error) {
	db, err := bolt.Open(filepath.Join(dir, "network.db"), 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("the network's data in %s is in use by another hw network serve: stop it first", dir)
		}
		return nil, fmt.Errorf("opening the network's data in %s: %w", dir, err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketEnrolled, bucketUsed, bucketTxs} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("preparing the network's data in %s: %w", dir, err)
	}
	return &ledger{db: db}, nil
}

func (l *ledger) close() error { return l.db.Close() }

func day(t time.Time) []byte { return []byte(t.UTC().Format(time.DateOnly)) }

func (l *ledger) enrol(wallet common.Address, now time.Time) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketEnrolled)
		if b.Get(wallet[:]) != nil {
			return nil
		}
		return b.Put(wallet[:], binary.BigEndian.AppendUint64(nil, uint64(now.Unix())))
	})
}

func (l *ledger) enrolled(wallet common.Address) (ok bool, err error) {
	err = l.db.View(func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketEnrolled).Get(wallet[:]) != nil
		return nil
	})
	return ok, err
}

// usage is a wallet's count today, and the network's.
func (l *ledger) usage(wallet common.Address, now time.Time) (mine, all int, err error) {
	d := day(now)
	err = l.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketUsed)
		mine, all = count(b.Get(append(d, wallet[:]...))), count(b.Get(d))
		return nil
	})
	return mine, all, err
}

func count(v []byte) int {
	if len(v) != 4 {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

// owner is the wallet hash was sent for; false when none.
func (l *ledger) owner(hash common.Hash) (wallet common.Address, ok bool, err error) {
	err = l.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTxs).Get(hash[:])
		if len(v) >= common.AddressLength {
			wallet, ok = common.BytesToAddress(v[:common.AddressLength]), true
		}
		return nil
	})
	return wallet, ok, err
}

// charge records hash as sent for wallet and counts it today, unless it is
// known already (the same calldata submitted again).
func (l *ledger) charge(wallet common.Address, hash common.Hash, now time.Time) error {
	return l.db.Update(func(tx *bolt.Tx) error {
		txs := tx.Bucket(bucketTxs)
		if txs.Get(hash[:]) != nil {
			return nil
		}
		if err := txs.Put(hash[:], binary.BigEndian.AppendUint64(append([]byte(nil), wallet[:]...), uint64(now.Unix()))); err != nil {
			return err
		}
		used, d := tx.Bucket(bucketUsed), day(now)
		for _, k := range [][]byte{append(d, wallet[:]...), d} {
			if err := used.Put(k, binary.BigEndian.AppendUint32(nil, uint32(count(used.Get(k))+1))); err != nil {
				return err
			}
		}
		return nil
	})
}

// prune forgets the counters of days before yesterday and transactions
// older than keepTxs.
func (l *ledger) prune(now time.Time) error {
	yesterday := day(now.Add(-24 * time.Hour))
	cutoff := uint64(now.Add(-keepTxs).Unix())
	return l.db.Update(func(tx *bolt.Tx) error {
		// Collected first: deleting under a bbolt cursor skips keys.
		var old [][]byte
		used := tx.Bucket(bucketUsed)
		used.ForEach(func(k, _ []byte) error {
			if string(k) < string(yesterday) {
				old = append(old, k)
			}
			return nil
		})
		for _, k := range old {
			if err := used.Delete(k); err != nil {
				return err
			}
		}
		old = old[:0]
		txs := tx.Bucket(bucketTxs)
		txs.ForEach(func(k, v []byte) error {
			if len(v) == common.AddressLength+8 && binary.BigEndian.Uint64(v[common.AddressLength:]) < cutoff {
				old = append(old, k)
			}
			return nil
		})
		for _, k := range old {
			if err := txs.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}
