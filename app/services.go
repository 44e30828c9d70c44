package app

import (
	"context"
	"fmt"
	"image"
	"io"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet"
	"healthwallet/wallet/network"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
)

// Backend makes, opens and restores the wallet in one directory.
type Backend interface {
	// Exists reports whether the directory holds a wallet.
	Exists() bool
	// NewMnemonic returns a fresh 24-word recovery phrase.
	NewMnemonic() (string, error)
	// CheckMnemonic returns nil for a valid recovery phrase, or an error
	// whose text says what is wrong with it.
	CheckMnemonic(mnemonic string) error
	// Create makes a wallet from a recovery phrase and a password and
	// returns it unlocked.
	Create(mnemonic string, password []byte, name string) (Wallet, error)
	// Open returns the existing wallet, locked.
	Open() (Wallet, error)
	// RestoreBackup writes the wallet held in a backup archive into the
	// directory; it then opens with Open and unlocks with the password it
	// had when the backup was made.
	RestoreBackup(r io.Reader, mnemonic string) error

	// Receive opens a share without a wallet, for a receiver who has none
	// (or whose wallet is locked): it fetches, decrypts and verifies, but
	// cannot log the access on chain. It verifies against the networks in
	// trusted (those the receiver trusted in this session) and the
	// backend's own chain (NewBackend's wallet.Options.Chain, for
	// scripts); a share made on any other network opens not verified,
	// with the failing "network trusted" check naming its network. Errors
	// are as Wallet.Receive's.
	Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error)
	// FetchNetwork reads and checks the network at joinURL, to trust it
	// for a session without a wallet.
	FetchNetwork(ctx context.Context, joinURL string) (network.Membership, error)
	// DecodeQRImage reads the text of the QR code in a PNG or JPEG photo
	// or screenshot.
	DecodeQRImage(r io.Reader) (string, error)
}

// Wallet is one open wallet. Its method set is that of *wallet.Wallet, and
// its errors are the wallet's: their text is shown to the person as is.
type Wallet interface {
	Unlock(password []byte) error
	Lock()
	Locked() bool
	ResetPassword(mnemonic string, newPassword []byte) error
	// ChangePasswordWithProgress rewrites the whole vault under a new key,
	// telling progress how far it is.
	ChangePasswordWithProgress(oldPassword, newPassword []byte, progress func(done, total int64)) error
	// KeyDerivation says how the password is protected; Weak until a
	// password change for a wallet made with weak parameters.
	KeyDerivation() (wallet.KeyDerivation, error)
	DisplayName() string
	Address() string
	Card() (string, error)
	Import(ctx context.Context, paths []string, progress func(wallet.ImportProgress)) (wallet.ImportReport, error)
	// One person per wallet: records about others go to their own space.
	ImportWith(ctx context.Context, paths []string, opts wallet.ImportOptions) (wallet.ImportReport, error)
	People() ([]wallet.Person, error)
	DropPerson(id string) error
	// StopSharesOf stops a person's standing shares before DropPerson.
	StopSharesOf(ctx context.Context, person string) (stopped, pending int, err error)
	// HandOver moves a person kept apart into a new wallet of their own;
	// ActiveSharesOf counts the shares it would stop.
	HandOver(ctx context.Context, person string, req wallet.HandOverRequest) (wallet.HandOverResult, error)
	ActiveSharesOf(person string) (int, error)
	Records(q wallet.Query) ([]record.Record, error)
	Record(id string) (wallet.Detail, error)
	CategoriesOf(person string) (map[string]int, error)
	Damaged() []wallet.Damage
	Delete(id string) error
	Export(out io.Writer, ids []string) (int, error)
	Backup(out io.Writer) error
	Close() error

	// Cards, documents and trust (issue 11).
	ImportText(ctx context.Context, text, passcode string) (wallet.ImportReport, error)
	// ImportTextWith takes the same "about this person" choice as files.
	ImportTextWith(ctx context.Context, text, passcode string, opts wallet.ImportOptions) (wallet.ImportReport, error)
	TrustAdd(ctx context.Context, source string) (wallet.TrustedDirectory, error)
	TrustList() ([]wallet.TrustedDirectory, []wallet.TrustedIssuer, error)
	TrustRemove(issOrSource string) error
	OpenAttachment(recordID string) (io.ReadCloser, wallet.AttachmentInfo, error)
	EditDocument(recordID string, edit wallet.DocumentEdit) error
	DocumentPreview(recordID string, maxW, maxH int) (image.Image, error)
	DocumentSections(recordID string) ([]wallet.NarrativeSection, error)

	// The chain: anchoring runs in the background and never fails because
	// the network is down (the report's Problem says why work waits).
	Anchor(ctx context.Context) (wallet.AnchorReport, error)
	Verify(ctx context.Context, id string) (wallet.Verification, error)
	ChainStatus(ctx context.Context) (wallet.ChainStatus, error)
	ChainSettings() wallet.ChainSettings
	SetChainSettings(s wallet.ChainSettings) error

	// Sharing (DESIGN §7).
	// Share makes a share through the relay.
	Share(ctx context.Context, req wallet.ShareRequest) (wallet.ShareResult, error)
	// ShareDirect makes a share that this device serves itself on the
	// local network at listen ("0.0.0.0:0"), with no relay, until ctx ends.
	ShareDirect(ctx context.Context, req wallet.ShareRequest, listen string) (wallet.ShareResult, error)
	Shares(ctx context.Context) ([]wallet.ShareInfo, error)
	Revoke(ctx context.Context, id string) error
	AccessLog(ctx context.Context) ([]wallet.AccessEntry, error)
	Receive(ctx context.Context, link string, opts wallet.ReceiveOptions) (wallet.Received, error)

	// The network (DESIGN §11): the one the wallet joined, the ones it
	// trusts when receiving, and the one this computer runs.
	JoinNetwork(ctx context.Context, joinURL, invite string) (network.Membership, error)
	Network() (network.Membership, bool)
	LeaveNetwork() error
	NetworkStatus(ctx context.Context) (wallet.NetworkStatus, error)
	TrustNetwork(ctx context.Context, joinURL string) (network.Membership, error)
	// StartLocalNetwork runs a network in this process and joins it ("Try
	// it on this computer"); it stops when the wallet is closed.
	StartLocalNetwork(ctx context.Context, opts wallet.LocalNetworkOptions) (network.Info, error)
	// RevokeEverything is for a lost device: every share and delegation
	// revoked, the old sharing key retired.
	RevokeEverything(ctx context.Context) (wallet.RevokeAllReport, error)

	// Caregivers, the patient's side (issue 9): delegations that are
	// scoped, expiring and revocable, and Sync, which anchors what waits
	// and brings every caregiver's copy up to date.
	AddDelegate(ctx context.Context, req wallet.DelegateRequest) (wallet.DelegateResult, error)
	Delegates(ctx context.Context) ([]wallet.DelegateInfo, error)
	RevokeDelegate(ctx context.Context, who string) (wallet.DelegateInfo, error)
	RenewDelegate(ctx context.Context, who string, expires time.Time) (wallet.DelegateInfo, error)
	Sync(ctx context.Context) (wallet.SyncReport, error)

	// People I care for, the caregiver's side: person is a CaredFor's ID.
	AcceptInvitation(ctx context.Context, invite string) (wallet.CaredFor, error)
	CaredFor(ctx context.Context) ([]wallet.CaredFor, error)
	CareSync(ctx context.Context, person string) ([]wallet.CareSyncReport, error)
	CareRecords(person string, q wallet.Query) ([]record.Record, error)
	CareRecord(person, id string) (wallet.Detail, error)
	CareShare(ctx context.Context, person string, req wallet.ShareRequest) (wallet.ShareResult, error)
	CareShares(ctx context.Context, person string) ([]wallet.ShareInfo, error)
	CareRevoke(ctx context.Context, person, shareID string) error

	// The emergency card (DESIGN §8).
	EmergencyProfile() (wallet.EmergencyProfile, error)
	SetEmergencyProfile(p wallet.EmergencyProfile) error
	EmergencyCandidates() (records []record.Record, included map[string]bool, err error)
	MakeEmergencyCard(ctx context.Context, req wallet.EmergencyCardRequest) (wallet.EmergencyCard, error)
	CurrentEmergencyCard(ctx context.Context) (wallet.EmergencyCard, bool, error)
	RevokeEmergencyCard(ctx context.Context) error
	EmergencyCardPDF(ctx context.Context) ([]byte, error)
	EmergencyCardPNG(ctx context.Context) ([]byte, error)
}

var _ Wallet = (*wallet.Wallet)(nil)

// Clock is the time source of the idle lock and the search debounce.
// Functions given to AfterFunc may run on any goroutine.
type Clock interface {
	AfterFunc(d time.Duration, f func()) Timer
	// Now is the current time: share expiry countdowns count from it.
	Now() time.Time
}

// Timer is a pending call from a Clock.
type Timer interface {
	// Stop prevents the call if it has not happened yet.
	Stop() bool
}

// systemClock is the Clock of the real app.
type systemClock struct{}

func (systemClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
func (systemClock) Now() time.Time                            { return time.Now() }

// NewBackend returns the Backend over package wallet for the wallet
// directory dir.
func NewBackend(dir string, opts wallet.Options) Backend {
	return &walletBackend{dir: dir, opts: opts}
}

type walletBackend struct {
	dir  string
	opts wallet.Options
}

func (b *walletBackend) Exists() bool                 { return wallet.Exists(b.dir) }
func (b *walletBackend) NewMnemonic() (string, error) { return wallet.NewMnemonic() }
func (b *walletBackend) CheckMnemonic(m string) error { return wallet.CheckMnemonic(m) }
func (b *walletBackend) RestoreBackup(r io.Reader, m string) error {
	return wallet.RestoreBackup(r, b.dir, m)
}

func (b *walletBackend) DecodeQRImage(r io.Reader) (string, error) { return share.DecodeQRImage(r) }

// Receive opens a link without a wallet, against the trusted networks
// and the options' JSON-RPC URL (which scripts give, and trust).
func (b *walletBackend) Receive(ctx context.Context, link string, trusted []network.Membership, opts wallet.ReceiveOptions) (wallet.Received, error) {
	networks := slices.Clone(trusted)
	if b.opts.Chain != "" {
		m, err := chainMembership(ctx, b.opts.Chain)
		if err != nil {
			got, rerr := wallet.ReceiveWithNetworks(ctx, link, opts, networks)
			if !got.Verified && got.Problem == "" {
				got.Problem = fmt.Sprintf("not verified on chain: %v", err)
			}
			return got, rerr
		}
		networks = append(networks, m)
	}
	return wallet.ReceiveWithNetworks(ctx, link, opts, networks)
}

// chainMembership describes the chain at a JSON-RPC URL (its chain id and
// registry, as hw chain serve tells them) as a network to trust.
func chainMembership(ctx context.Context, url string) (network.Membership, error) {
	net, err := wallet.OpenChain(ctx, wallet.ChainSettings{URL: url}, "", common.Address{})
	if err != nil {
		return network.Membership{}, err
	}
	defer net.Close()
	return network.Membership{
		Document: network.Document{Version: 1, Name: "the chain at " + url, ChainID: net.ChainID.Uint64(),
			Registry: net.Registry.Hex(), RPC: []string{url}},
		URL: url,
	}, nil
}

func (b *walletBackend) FetchNetwork(ctx context.Context, joinURL string) (network.Membership, error) {
	return network.Fetch(ctx, joinURL)
}

func (b *walletBackend) Create(mnemonic string, password []byte, name string) (Wallet, error) {
	w, err := wallet.Create(b.dir, mnemonic, password, name, b.opts)
	if err != nil {
		return nil, err // not a typed nil inside the interface
	}
	return w, nil
}

func (b *walletBackend) Open() (Wallet, error) {
	w, err := wallet.Open(b.dir)
	if err != nil {
		return nil, err
	}
	return w, nil
}
