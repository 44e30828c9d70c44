package wallet

import (
	"context"
	"crypto/ecdh"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet/relay"
)

// careRelay is what delegation asks of a relay beyond shares (part A of
// issue 9 adds these to relay.Client): a care copy for a delegate, served
// only while the delegation is active on chain; replacing its files on
// sync; one sealed blob (the invitation) at an unguessable URL.
type careRelay interface {
	CreateCopy(ctx context.Context, files []relay.File, delegate common.Address, expires time.Time, sharingKey *ecdh.PublicKey) (id, url string, err error)
	ReplaceFiles(ctx context.Context, id string, files []relay.File) error
	PutBlob(ctx context.Context, data []byte, expires time.Time) (url string, err error)
	DeleteBlob(ctx context.Context, url string) error
	Revoke(ctx context.Context, id string) error
	AccessLog(ctx context.Context, id string, key *ecdh.PrivateKey) ([]relay.AccessEntry, error)
}

// errRelayNoCare: the relay client cannot carry care copies yet.
var errRelayNoCare = errors.New("this relay cannot carry caregivers' copies yet: update it (and this app)")

// newCareRelay is the care relay at base for w; tests replace it.
var newCareRelay = func(w *Wallet, base string) (careRelay, error) {
	c, err := w.relayClient(base)
	if err != nil {
		return nil, err
	}
	return relayCare{c}, nil
}

// relayCare is careRelay over relay.Client.
type relayCare struct{ c *relay.Client }

func (r relayCare) CreateCopy(ctx context.Context, files []relay.File, delegate common.Address, expires time.Time, sharingKey *ecdh.PublicKey) (string, string, error) {
	// TODO(issue 9): relay.CreateRequest.Delegate (part A).
	return "", "", errRelayNoCare
}

func (r relayCare) ReplaceFiles(ctx context.Context, id string, files []relay.File) error {
	return errRelayNoCare // TODO(issue 9): relay.Client.ReplaceFiles (part A)
}

func (r relayCare) PutBlob(ctx context.Context, data []byte, expires time.Time) (string, error) {
	return "", errRelayNoCare // TODO(issue 9): relay.Client.PutBlob (part A)
}

func (r relayCare) DeleteBlob(ctx context.Context, url string) error {
	return errRelayNoCare // TODO(issue 9): relay.Client.DeleteBlob (part A)
}

func (r relayCare) Revoke(ctx context.Context, id string) error { return r.c.Revoke(ctx, id) }

func (r relayCare) AccessLog(ctx context.Context, id string, key *ecdh.PrivateKey) ([]relay.AccessEntry, error) {
	return r.c.AccessLog(ctx, id, key)
}
