package wallet

import (
	"context"
	"crypto/ecdh"
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
	// List is every share the relay keeps for the patient, those a
	// delegate uploaded for them included.
	List(ctx context.Context) ([]relay.ShareInfo, error)
}

// newCareRelay is the care relay at base for w; tests may replace it.
var newCareRelay = func(w *Wallet, base string) (careRelay, error) {
	c, err := w.relayClient(base)
	if err != nil {
		return nil, err
	}
	return relayCare{c}, nil
}

// relayCare is careRelay over relay.Client.
type relayCare struct{ *relay.Client }

func (r relayCare) CreateCopy(ctx context.Context, files []relay.File, delegate common.Address, expires time.Time, sharingKey *ecdh.PublicKey) (string, string, error) {
	info, err := r.CreateShare(ctx, relay.CreateRequest{Files: files, Flag: relay.FlagLongTerm, Expires: expires, Delegate: delegate, SharingKey: sharingKey})
	if err != nil {
		return "", "", err
	}
	return info.ID, info.URL, nil
}
