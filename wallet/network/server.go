package network

import (
	"context"
	"crypto/ecdsa"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"healthwallet/chain"
	"healthwallet/wallet/relay"
	"healthwallet/wallet/viewer"
)

// ServerConfig is one network node.
type ServerConfig struct {
	// Listen is the address to listen on (host:port; port 0 picks one).
	Listen string
	// DataDir holds the chain (DataDir/chain), the relay's store, the
	// enrolments and the self-signed certificate. Required.
	DataDir string
	// ChainDir overrides where the chain lives (the app's local network
	// keeps the wallet's existing embedded chain); empty: DataDir/chain.
	ChainDir string
	// PublicURL is how clients reach the node; empty: built from Listen.
	PublicURL string
	// Name is the network's name in its document.
	Name string
	// TLSCert and TLSKey are a certificate to serve; empty beyond loopback:
	// a self-signed one kept in DataDir, pinned by its fingerprint.
	TLSCert, TLSKey string
	// ForceTLS serves TLS on loopback too (tests; a node reached through
	// an SSH tunnel).
	ForceTLS bool
	// Enrolment is "open" (default) or "invitation"; InviteCode the code.
	Enrolment, InviteCode string
	// PerWalletPerDay and BudgetPerDay limit submitted actions (0: 500
	// and 100,000).
	PerWalletPerDay, BudgetPerDay int
	// BlockPeriod is the chain's block period (0: 2 s).
	BlockPeriod time.Duration
	// TrustProxy takes the client address for rate limits (the submission
	// endpoint's and the relay's) from the last X-Forwarded-For entry: set
	// it only behind a proxy that adds that header, or every client shares
	// the proxy's limits — and without a proxy, a client could pick its own.
	TrustProxy bool
	// Logger receives the node's logs (no addresses, no calldata). Nil:
	// slog.Default().
	Logger *slog.Logger

	// ChainURL, when set, is an existing JSON-RPC chain (a public EVM chain,
	// a consortium chain) the node uses instead of running its own: the
	// registry at Registry must be deployed there, and SubmitterKey pays the
	// gas of submitted actions. Wallets still read the chain through the
	// node's own /rpc, never the upstream node. BlockPeriod then only says
	// in the network's document how often the chain seals a block (0: 12 s).
	ChainURL     string
	Registry     common.Address
	SubmitterKey *ecdsa.PrivateKey
	// Confirmations is how many blocks, the including one counted, make an
	// action final, as the network's document advises (0: 2).
	Confirmations uint64

	// SubmitRate limits the requests to /submit/v1/* of one client address,
	// and EnrolRate its enrolments besides, so that one client cannot enrol
	// many throwaway wallets (zero: DefaultSubmitRate, DefaultEnrolRate).
	SubmitRate, EnrolRate relay.Rate
}

// Default per-client rates of the submission endpoint.
var (
	// DefaultSubmitRate: a wallet draining a long outbox (a submission and
	// a status query per action) stays well under it.
	DefaultSubmitRate = relay.Rate{PerSecond: 2, Burst: 120}
	// DefaultEnrolRate: ten wallets at once (a family, a clinic's front
	// desk behind one address), then one a minute.
	DefaultEnrolRate = relay.Rate{PerSecond: 1.0 / 60, Burst: 10}
)

// Defaults of a ServerConfig.
const (
	defaultPerWalletPerDay = 500
	defaultBudgetPerDay    = 100_000
	defaultBlockPeriod     = 2 * time.Second
	// defaultConfirmations is how many blocks, the including one counted,
	// the network advises waiting for.
	defaultConfirmations = 2
	// defaultUpstreamBlockPeriod is a public chain's block time (Ethereum's
	// 12 s), advertised when the node uses a chain it does not run.
	defaultUpstreamBlockPeriod = 12 * time.Second
	// maxRateKeys bounds the client addresses the rate limits remember.
	maxRateKeys = 100_000
	// maxSubmitBody bounds a submission's body: a signed action's calldata
	// is well under 1 KiB.
	maxSubmitBody = 64 << 10
)

// Info is what a started server tells its caller.
type Info struct {
	URL         string // the base URL
	JoinURL     string // with #fp= when self-signed
	Fingerprint string
	Document    Document
	// Submitter is the account that pays the gas of submitted actions:
	// the one to fund on a chain the node does not run.
	Submitter common.Address
}

// Server is a running network node: the chain, the relay, the read-only
// JSON-RPC (/rpc), the network document (WellKnownPath) and the submission
// endpoint (/submit/v1/…) on one listener.
type Server struct {
	info      Info
	cfg       ServerConfig
	log       *slog.Logger
	node      *chain.Node
	relay     *relay.Server
	submitter *chain.Submitter
	ledger    *ledger
	origin    string // the submission endpoint's origin, which signatures name
	hs        *http.Server
	served    chan error
	stopPurge context.CancelFunc
	purged    chan struct{}
	now       func() time.Time

	// submitMu serializes the limit check, the send and the charge of
	// submissions, so that concurrent ones cannot overspend a limit.
	submitMu sync.Mutex

	// submitLimit and enrolLimit are the per-client rate limits.
	submitLimit, enrolLimit *relay.Limiter

	closeOnce sync.Once
	closeErr  error
}

// Start opens the chain (deploying the registry on first start) and serves
// the network on cfg.Listen until Close.
func Start(ctx context.Context, cfg ServerConfig) (_ *Server, err error) {
	if cfg.DataDir == "" {
		return nil, errors.New("a network node needs a data directory (hw network serve --data DIR)")
	}
	if cfg.Enrolment == "" {
		cfg.Enrolment = EnrolmentOpen
	}
	switch {
	case cfg.Enrolment != EnrolmentOpen && cfg.Enrolment != EnrolmentInvitation:
		return nil, fmt.Errorf("enrolment %q: use %q or %q", cfg.Enrolment, EnrolmentOpen, EnrolmentInvitation)
	case cfg.Enrolment == EnrolmentInvitation && cfg.InviteCode == "":
		return nil, errors.New("an invitation-only network needs an invitation code: give one (--invite-code CODE)")
	case (cfg.TLSCert == "") != (cfg.TLSKey == ""):
		return nil, errors.New("a TLS certificate needs its key, and a key its certificate: give both (--tls-cert and --tls-key)")
	case cfg.PerWalletPerDay < 0 || cfg.BudgetPerDay < 0:
		return nil, errors.New("the daily limits must not be negative")
	}
	if cfg.PerWalletPerDay == 0 {
		cfg.PerWalletPerDay = defaultPerWalletPerDay
	}
	if cfg.BudgetPerDay == 0 {
		cfg.BudgetPerDay = defaultBudgetPerDay
	}
	switch {
	case cfg.BlockPeriod > 0:
	case cfg.ChainURL != "":
		cfg.BlockPeriod = defaultUpstreamBlockPeriod
	default:
		cfg.BlockPeriod = defaultBlockPeriod
	}
	if cfg.Confirmations == 0 {
		cfg.Confirmations = defaultConfirmations
	}
	if cfg.SubmitRate == (relay.Rate{}) {
		cfg.SubmitRate = DefaultSubmitRate
	}
	if cfg.EnrolRate == (relay.Rate{}) {
		cfg.EnrolRate = DefaultEnrolRate
	}
	if cfg.SubmitRate.PerSecond <= 0 || cfg.SubmitRate.Burst < 1 || cfg.EnrolRate.PerSecond <= 0 || cfg.EnrolRate.Burst < 1 {
		return nil, errors.New("the submission endpoint's rates must allow at least one request")
	}
	if cfg.Name == "" {
		cfg.Name = "Health Wallet network"
	}
	if cfg.ChainDir == "" {
		cfg.ChainDir = filepath.Join(cfg.DataDir, "chain")
	}
	s := &Server{cfg: cfg, log: cfg.Logger, now: time.Now,
		submitLimit: relay.NewLimiter(cfg.SubmitRate, maxRateKeys),
		enrolLimit:  relay.NewLimiter(cfg.EnrolRate, maxRateKeys),
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("creating the network's data directory: %w", err)
	}
	// Whatever is open when Start fails is closed again.
	defer func() {
		if err != nil {
			s.closeParts()
		}
	}()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w; choose another address", cfg.Listen, err)
	}
	addr := ln.Addr().(*net.TCPAddr)
	useTLS := cfg.ForceTLS || cfg.TLSCert != "" || !addr.IP.IsLoopback()
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	public := cfg.PublicURL
	if public == "" {
		if addr.IP.IsUnspecified() {
			ln.Close()
			return nil, fmt.Errorf("listening on %s takes requests on every interface: give the URL wallets reach this node at (--public-url)", cfg.Listen)
		}
		public = scheme + "://" + addr.String()
	}
	pu, err := relay.ParsePublicURL(public)
	if err != nil {
		ln.Close()
		return nil, err
	}
	// (A node on loopback http may sit behind a proxy that serves https.)
	if useTLS && pu.Scheme != "https" {
		ln.Close()
		return nil, fmt.Errorf("the public URL %s is plain http but the node serves https: give an https:// URL", public)
	}
	public = pu.String()

	var fingerprint string
	if useTLS {
		var cert tls.Certificate
		if cfg.TLSCert != "" {
			cert, err = tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
			if err != nil {
				err = fmt.Errorf("reading the TLS certificate: %w", err)
			}
		} else {
			cert, fingerprint, err = selfSignedCertificate(filepath.Join(cfg.DataDir, "tls"), []string{addr.IP.String(), pu.Hostname(), "localhost"})
		}
		if err != nil {
			ln.Close()
			return nil, err
		}
		ln = tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	}
	s.hs = &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	// Listening comes before the chain so that a taken port fails fast; the
	// listener is closed with the server.
	closeListener := ln
	defer func() {
		if err != nil {
			closeListener.Close()
		}
	}()

	if s.node, err = openChain(ctx, cfg); err != nil {
		return nil, err
	}
	registry := s.node.Network.Registry
	if s.ledger, err = openLedger(cfg.DataDir); err != nil {
		return nil, err
	}
	s.relay, err = relay.Open(relay.Config{
		DataDir:    filepath.Join(cfg.DataDir, "relay"),
		PublicURL:  public,
		Checker:    relay.NewChainChecker(s.node.Network.Client, registry),
		TrustProxy: cfg.TrustProxy,
		Logger:     s.log,
		// Break-glass: the relay records each opening of an emergency card
		// on chain through the node's own submitter.
		BreakGlass: &relay.BreakGlass{ChainID: s.node.Network.ChainID, Registry: registry, Submit: s.submitBreakGlass},
	})
	if err != nil {
		return nil, fmt.Errorf("opening the network's relay: %w", err)
	}
	s.submitter = chain.NewSubmitter(s.node.Network, s.node.Key)
	submitURL, err := url.Parse(public + "/submit")
	if err != nil {
		return nil, err
	}
	s.origin = relay.Origin(submitURL)

	doc := Document{
		Version:            1,
		Name:               cfg.Name,
		ChainID:            s.node.Network.ChainID.Uint64(),
		Registry:           registry.Hex(),
		RPC:                []string{public + "/rpc"},
		Relay:              public,
		Submit:             public + "/submit",
		Enrolment:          cfg.Enrolment,
		BlockPeriodSeconds: uint64((cfg.BlockPeriod + time.Second - 1) / time.Second), // the chain seals in whole seconds
		Confirmations:      cfg.Confirmations,
		Viewer:             ViewerHash(viewer.BundleHash()),
	}
	docJSON, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	s.info = Info{URL: public, JoinURL: public, Fingerprint: fingerprint, Document: doc, Submitter: crypto.PubkeyToAddress(s.node.Key.PublicKey)}
	if fingerprint != "" {
		s.info.JoinURL = public + "#fp=" + fingerprint
	}

	mux := http.NewServeMux()
	mux.Handle("/rpc", chain.ReadOnlyRPC(s.node.RPC, registry))
	mux.HandleFunc("GET "+WellKnownPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-cache")
		w.Write(docJSON)
	})
	mux.HandleFunc("POST /submit/v1/enrol", s.rateLimited(s.handleEnrol, s.submitLimit, s.enrolLimit))
	mux.HandleFunc("POST /submit/v1/actions", s.rateLimited(s.handleSubmit, s.submitLimit))
	mux.HandleFunc("GET /submit/v1/tx/{hash}", s.rateLimited(s.handleStatus, s.submitLimit))
	mux.HandleFunc("GET /submit/v1/account", s.rateLimited(s.handleAccount, s.submitLimit))
	mux.Handle("/", s.relay.Handler())
	s.hs.Handler = mux

	purgeCtx, stop := context.WithCancel(context.Background())
	s.stopPurge, s.purged = stop, make(chan struct{})
	go s.purgeLoop(purgeCtx)
	s.served = make(chan error, 1)
	go func() { s.served <- s.hs.Serve(ln) }()
	s.log.Info("network node serving", "url", public, "tls", useTLS, "chain_id", doc.ChainID, "own_chain", cfg.ChainURL == "", "enrolment", cfg.Enrolment)
	return s, nil
}

// Info describes the running server.
func (s *Server) Info() Info { return s.info }

// Close stops serving (finishing requests in flight, for up to ten seconds)
// and closes the relay's store, the ledger and the chain.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := s.hs.Shutdown(sctx); err != nil {
			s.hs.Close()
		}
		if err := <-s.served; !errors.Is(err, http.ErrServerClosed) {
			s.closeErr = fmt.Errorf("serving the network: %w", err)
		}
		if err := s.closeParts(); s.closeErr == nil {
			s.closeErr = err
		}
		s.log.Info("network node stopped")
	})
	return s.closeErr
}

// closeParts closes what Start opened, in reverse.
func (s *Server) closeParts() error {
	var errs []error
	if s.stopPurge != nil {
		s.stopPurge()
		<-s.purged
	}
	if s.relay != nil {
		errs = append(errs, s.relay.Close())
	}
	if s.ledger != nil {
		errs = append(errs, s.ledger.close())
	}
	if s.node != nil {
		errs = append(errs, s.node.Close())
	}
	return errors.Join(errs...)
}

// purgeLoop drops the relay's expired shares and the ledger's old counters
// every minute.
func (s *Server) purgeLoop(ctx context.Context) {
	defer close(s.purged)
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.relay.Purge(); err != nil {
				s.log.Warn("network: purging expired shares", "err", err)
			}
			if err := s.ledger.prune(s.now()); err != nil {
				s.log.Warn("network: pruning old counters", "err", err)
			}
			s.submitLimit.Sweep(s.now())
			s.enrolLimit.Sweep(s.now())
		}
	}
}

// openChain opens the node's own chain (deploying the registry on first
// start), or, with cfg.ChainURL, connects to an existing one and checks it:
// the chain answers, the registry is at cfg.Registry, and the submitter's
// account holds ETH to pay gas with.
func openChain(ctx context.Context, cfg ServerConfig) (*chain.Node, error) {
	if cfg.ChainURL == "" {
		node, err := chain.OpenNode(ctx, cfg.ChainDir, chain.NodeOptions{Period: cfg.BlockPeriod})
		if err != nil {
			return nil, fmt.Errorf("opening the network's chain: %w", err)
		}
		return node, nil
	}
	switch {
	case cfg.Registry == (common.Address{}):
		return nil, fmt.Errorf("a network on the chain at %s needs its registry's address (--registry ADDR; deploy one with hw --chain URL chain deploy)", cfg.ChainURL)
	case cfg.SubmitterKey == nil:
		return nil, fmt.Errorf("a network on the chain at %s needs the key that pays its gas (--submitter-key FILE)", cfg.ChainURL)
	}
	n, err := chain.Dial(ctx, cfg.ChainURL, cfg.Registry, nil)
	if err != nil {
		return nil, fmt.Errorf("the network's chain: %w", err)
	}
	payer := crypto.PubkeyToAddress(cfg.SubmitterKey.PublicKey)
	balance, err := n.Client.BalanceAt(ctx, payer, nil)
	switch {
	case err != nil:
		err = fmt.Errorf("reading the submitter's balance on the chain at %s: %w", cfg.ChainURL, err)
	case balance.Sign() == 0:
		err = fmt.Errorf("the submitter account %s holds no ETH to pay for patients' actions: fund %s with ETH for gas on chain %s, then start the node again", payer.Hex(), payer.Hex(), n.ChainID)
	}
	if err != nil {
		n.Close()
		return nil, err
	}
	return &chain.Node{Network: n, Key: cfg.SubmitterKey, RPC: n.RPC()}, nil
}

// rateLimited runs h unless the client's address is past one of limits;
// then it answers 429 with Retry-After, and nothing is read or sent.
func (s *Server) rateLimited(h http.HandlerFunc, limits ...*relay.Limiter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key := relay.RateKey(relay.ClientIP(r, s.cfg.TrustProxy))
		for _, l := range limits {
			if ok, wait := l.Allow(key, s.now()); !ok {
				retry := relay.RetryAfterSeconds(wait)
				w.Header().Set("Retry-After", strconv.Itoa(retry))
				writeError(w, "limit", fmt.Sprintf("too many requests from this address: wait %d seconds and try again", retry))
				return
			}
		}
		h(w, r)
	}
}

// writeError answers with the endpoint's JSON error of code.
func writeError(w http.ResponseWriter, code, msg string) {
	status := http.StatusInternalServerError
	if c, ok := errorCodes[code]; ok {
		status = c.status
	}
	writeJSON(w, status, apiError{Message: msg, Code: code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// authenticate reads r's body (up to limit) and returns it with the wallet
// that signed r for purpose; on failure it has answered.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request, purpose string, limit int64) (common.Address, []byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		writeError(w, "not-submittable", fmt.Sprintf("the request body is larger than %d bytes", limit))
		return common.Address{}, nil, false
	}
	wallet, err := requestSigner(r, s.origin, purpose, strings.TrimPrefix(r.URL.Path, "/submit"), body, s.now())
	if err != nil {
		writeError(w, "unauthenticated", err.Error())
		return common.Address{}, nil, false
	}
	return wallet, body, true
}

// requireEnrolled answers 403 unless wallet is enrolled.
func (s *Server) requireEnrolled(w http.ResponseWriter, wallet common.Address) bool {
	ok, err := s.ledger.enrolled(wallet)
	if err != nil {
		s.log.Error("network: reading enrolments", "err", err)
		writeError(w, "unavailable", "the node cannot read its enrolments now; try again later")
		return false
	}
	if !ok {
		writeError(w, "not-enrolled", "this wallet is not enrolled with the network: join it first (hw network join)")
	}
	return ok
}

func (s *Server) handleEnrol(w http.ResponseWriter, r *http.Request) {
	wallet, body, ok := s.authenticate(w, r, purposeEnrol, 4<<10)
	if !ok {
		return
	}
	var req enrolRequest
	if len(body) > 0 {
		dec := json.NewDecoder(strings.NewReader(string(body)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeError(w, "not-submittable", "the enrolment is not valid JSON: "+err.Error())
			return
		}
	}
	if s.cfg.Enrolment == EnrolmentInvitation && subtle.ConstantTimeCompare([]byte(req.Invite), []byte(s.cfg.InviteCode)) != 1 {
		writeError(w, "invite-refused", "this network is invitation-only and that is not its invitation code: ask the network's operator for it")
		return
	}
	if err := s.ledger.enrol(wallet, s.now()); err != nil {
		s.log.Error("network: recording an enrolment", "err", err)
		writeError(w, "unavailable", "the node cannot record the enrolment now; try again later")
		return
	}
	s.log.Info("network: wallet enrolled")
	s.writeAccount(w, r, wallet)
}

func (s *Server) handleAccount(w http.ResponseWriter, r *http.Request) {
	wallet, _, ok := s.authenticate(w, r, purposeAccount, 0)
	if !ok {
		return
	}
	s.writeAccount(w, r, wallet)
}

func (s *Server) writeAccount(w http.ResponseWriter, r *http.Request, wallet common.Address) {
	enrolled, err := s.ledger.enrolled(wallet)
	if err != nil {
		writeError(w, "unavailable", "the node cannot read its enrolments now; try again later")
		return
	}
	used, _, err := s.ledger.usage(wallet, s.now())
	if err != nil {
		writeError(w, "unavailable", "the node cannot read its counters now; try again later")
		return
	}
	balance, err := s.node.Network.Client.BalanceAt(r.Context(), wallet, nil)
	if err != nil {
		writeError(w, "unavailable", "the node's chain cannot be read now; try again later")
		return
	}
	writeJSON(w, http.StatusOK, Account{Enrolled: enrolled, Balance: balance.String(), UsedToday: used, PerDay: s.cfg.PerWalletPerDay})
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	wallet, body, ok := s.authenticate(w, r, purposeSubmit, maxSubmitBody)
	if !ok || !s.requireEnrolled(w, wallet) {
		return
	}
	data, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(string(body)), "0x"))
	if err != nil || len(data) == 0 {
		writeError(w, "not-submittable", "the body must be a signed action's calldata in hex")
		return
	}
	action, err := s.submitter.Check(r.Context(), data)
	if err != nil {
		s.writeSubmitError(w, err)
		return
	}
	// A wallet submits its own actions; an access log is signed by the
	// grant's access key (the doctor's), and charged to the wallet that
	// hands it in.
	if action.Method != "logAccess" && action.Signer != wallet {
		writeError(w, "not-yours", "this action is signed by another wallet: a wallet submits only its own actions")
		return
	}

	s.submitMu.Lock()
	defer s.submitMu.Unlock()
	now := s.now()
	mine, all, err := s.ledger.usage(wallet, now)
	if err != nil {
		writeError(w, "unavailable", "the node cannot read its counters now; try again later")
		return
	}
	switch {
	case mine >= s.cfg.PerWalletPerDay:
		writeError(w, "limit", fmt.Sprintf("this wallet has sent its %d actions for today; it may send more tomorrow (UTC), and the wallet keeps them until then", s.cfg.PerWalletPerDay))
		return
	case all >= s.cfg.BudgetPerDay:
		writeError(w, "limit", "the network has spent its budget for today; actions wait in the wallet until tomorrow (UTC)")
		return
	}
	res, err := s.submitter.Submit(r.Context(), data)
	if err != nil {
		s.writeSubmitError(w, err)
		return
	}
	if !res.Already {
		if err := s.ledger.charge(wallet, res.TxHash, now); err != nil {
			// Sent, but not counted: the wallet is not told it failed.
			s.log.Error("network: counting a submission", "err", err)
		}
	}
	s.log.Info("network: action submitted", "method", action.Method, "already", res.Already)
	writeJSON(w, http.StatusOK, res)
}

// writeSubmitError answers a refused or failed submission.
func (s *Server) writeSubmitError(w http.ResponseWriter, err error) {
	for _, code := range []string{"not-submittable", "bad-signature", "already-done", "refused"} {
		if errors.Is(err, errorCodes[code].err) {
			writeError(w, code, err.Error())
			return
		}
	}
	s.log.Warn("network: a submission could not be checked or sent", "err", err)
	writeError(w, "unavailable", "the network's chain cannot take the action now; the wallet will try again")
}

func (s *Server) handleStatus(w http.ResponseWriter, r *http.Request) {
	wallet, _, ok := s.authenticate(w, r, purposeStatus, 0)
	if !ok {
		return
	}
	raw := r.PathValue("hash")
	b, err := hex.DecodeString(strings.TrimPrefix(raw, "0x"))
	if err != nil || len(b) != common.HashLength {
		writeError(w, "unknown-tx", "not a transaction hash")
		return
	}
	hash := common.BytesToHash(b)
	owner, known, err := s.ledger.owner(hash)
	if err != nil {
		writeError(w, "unavailable", "the node cannot read its records now; try again later")
		return
	}
	if !known || owner != wallet {
		writeError(w, "unknown-tx", "the network sent no such transaction for this wallet")
		return
	}
	st, err := s.submitter.Status(r.Context(), hash)
	if err != nil {
		s.log.Warn("network: reading a transaction's status", "err", err)
		writeError(w, "unavailable", "the network's chain cannot be read now; try again later")
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// submitBreakGlass sends the relay's signed break-glass access entry
// through the node's submitter.
func (s *Server) submitBreakGlass(ctx context.Context, data []byte) (common.Hash, error) {
	res, err := s.submitter.Submit(ctx, data)
	if err != nil {
		return common.Hash{}, err
	}
	return res.TxHash, nil
}
