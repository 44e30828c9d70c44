package relay

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Limits bound what the relay accepts and keeps. The zero value of a field
// means its default, given in brackets.
type Limits struct {
	MaxManifestBody    int64         // bytes of a manifest request body [16 KiB]
	MaxCreateBody      int64         // bytes of a create request body [48 MiB]
	MaxFileSize        int64         // bytes of one JWE [32 MiB: a 16 MiB kept file, base64 twice, ~30 MiB]
	MaxFiles           int           // files in one share [32]
	MaxTTL             time.Duration // furthest expiry of a share [366 days]
	DefaultMaxFailures int           // wrong passcodes a share tolerates when its creator names none [10]
	MaxMaxFailures     int           // highest failure limit a creator may set [100]
	LocationTTL        time.Duration // lifetime of a location URL [60 s]; the spec caps it at one hour
	MaxLocations       int           // outstanding location URLs held in memory [100 000]
	MaxShareLocations  int           // outstanding location URLs of one share [4 × MaxFiles]
	MaxSharesPerKey    int           // shares one uploader key keeps stored at once [1000]
	MaxBytesPerKey     int64         // bytes of files one uploader key keeps stored [1 GiB]
	MaxTotalBytes      int64         // bytes of files the relay keeps stored in all [64 GiB]
	// Uploads whose grant is not on chain yet are held pending (never
	// served) for Config.PendingGrace; what they may take meanwhile:
	MaxPendingBytesPerClient int64         // per client address (IPv6: per /64) [256 MiB]
	MaxPendingBytes          int64         // in all [MaxTotalBytes / 8]
	MaxLogEntries            int           // access log entries kept per share [10 000]
	Retention                time.Duration // how long an ended share's metadata and log stay past its expiry [90 days]
	ClockSkew                time.Duration // accepted distance of a signed request's timestamp [5 min]
	PerIP                    Rate          // requests per client address [10/s, burst 40]
	PerShare                 Rate          // requests per share [5/s, burst 20]
	PerIPRPC                 Rate          // chain reads at /rpc per client address [20/s, burst 100]
	PurgeInterval            time.Duration // how often expired shares are shredded [1 min]
}

func (l Limits) withDefaults() Limits {
	setI64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	setInt := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	setDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	setI64(&l.MaxManifestBody, 16<<10)
	// A kept file (a PDF, a photo) travels base64 twice: in its record, then
	// in the JWE, so a 10 MB PDF is an ~18 MB file; share.MaxAttachmentSize
	// (16 MiB) makes ~30 MiB. The create body holds it and the share's other
	// files.
	setI64(&l.MaxCreateBody, 48<<20)
	setI64(&l.MaxFileSize, 32<<20)
	setInt(&l.MaxFiles, 32)
	setDur(&l.MaxTTL, 366*24*time.Hour)
	setInt(&l.DefaultMaxFailures, 10)
	setInt(&l.MaxMaxFailures, 100)
	setDur(&l.LocationTTL, time.Minute)
	if l.LocationTTL > time.Hour {
		l.LocationTTL = time.Hour
	}
	setInt(&l.MaxLocations, 100_000)
	setInt(&l.MaxShareLocations, 4*l.MaxFiles)
	setInt(&l.MaxSharesPerKey, 1000)
	setI64(&l.MaxBytesPerKey, 1<<30)
	setI64(&l.MaxTotalBytes, 64<<30)
	setI64(&l.MaxPendingBytesPerClient, 256<<20)
	setI64(&l.MaxPendingBytes, l.MaxTotalBytes/8)
	setInt(&l.MaxLogEntries, 10_000)
	setDur(&l.Retention, 90*24*time.Hour)
	setDur(&l.ClockSkew, 5*time.Minute)
	if l.PerIP.PerSecond <= 0 || l.PerIP.Burst <= 0 {
		l.PerIP = Rate{PerSecond: 10, Burst: 40}
	}
	if l.PerShare.PerSecond <= 0 || l.PerShare.Burst <= 0 {
		l.PerShare = Rate{PerSecond: 5, Burst: 20}
	}
	if l.PerIPRPC.PerSecond <= 0 || l.PerIPRPC.Burst <= 0 {
		l.PerIPRPC = Rate{PerSecond: 20, Burst: 100}
	}
	setDur(&l.PurgeInterval, time.Minute)
	if l.DefaultMaxFailures > l.MaxMaxFailures {
		l.MaxMaxFailures = l.DefaultMaxFailures
	}
	return l
}

// Config configures a Server.
type Config struct {
	// DataDir holds relay.db. Required.
	DataDir string
	// StoreKey, 32 bytes, seals the store's share records and hashes the
	// addresses in its keys, so that the file holds nothing about a patient
	// in clear (a wallet's direct share store). Nil: records in clear (a
	// relay's operator can read them; nothing in them is health data).
	StoreKey []byte
	// PublicURL is the base of the manifest and location URLs the relay
	// hands out (scheme, host, optional path prefix, no trailing slash), as
	// clients reach it — behind a proxy, the proxy's URL. Empty: built from
	// each request's Host, over http.
	PublicURL string
	// Checker asks the chain whether a share's grant stands, on every
	// request. Nil: no chain check; the relay's own expiry and revocation
	// still hold.
	Checker GrantChecker
	// ChainFailOpen serves shares when Checker cannot answer (chain down,
	// grant not on chain yet) instead of answering 503. Default: fail closed.
	ChainFailOpen bool
	// ChainTimeout bounds one chain check [5 s].
	ChainTimeout time.Duration
	// ChainCacheTTL is how long the chain's answer "active" is reused
	// [5 s]: a revoke on chain is seen at most this late.
	ChainCacheTTL time.Duration
	// ChainCacheUnknownTTL is how long any other answer (unknown, not
	// active, the chain down) is reused [1 s, or ChainCacheTTL if shorter].
	ChainCacheUnknownTTL time.Duration
	// PendingGrace is how long an upload whose grant is not on chain yet is
	// held pending (never served) for the grant to appear [5 min]; after it
	// the share is purged.
	PendingGrace time.Duration
	// TrustProxy takes the client address for rate limiting from the last
	// X-Forwarded-For entry (what the proxy in front added). Only set it
	// behind a proxy that sets that header.
	TrustProxy bool
	// LocalManagement keeps the management API (uploads, lists, revokes,
	// access logs) off the network: only [Server.LocalClient], in this
	// process, reaches it. For a wallet serving its own direct shares,
	// where nothing from the network may upload. Needs PublicURL.
	LocalManagement bool
	// DisableRateLimits turns the token buckets off (tests, benchmarks, a
	// relay behind a proxy that limits).
	DisableRateLimits bool
	// BreakGlass records the openings of emergency shares on chain (see
	// breakglass.go). Nil: the relay refuses emergency uploads.
	BreakGlass *BreakGlass
	// NetworkDocument, when set, makes the network document served at
	// NetworkDocumentPath, which the viewer reads from its own origin: the
	// chain this relay checks grants on (hw relay --chain), or the wallet's
	// (a direct share). An error answers 503 with its text. Nil: none (a
	// network node serves its own).
	NetworkDocument func(context.Context) ([]byte, error)
	// RPC, when set, is served at RPCPath: the read-only JSON-RPC of that
	// chain (chain.ReadOnlyRPC), through which the viewer reads grants and
	// anchors. Nil: none.
	RPC http.Handler
	// IssuerKeys configures GET /issuer-keys (issuerkeys.go).
	IssuerKeys IssuerKeysConfig
	// Limits bound sizes, counts and rates.
	Limits Limits
	// Logger receives the relay's structured logs. Nil: slog.Default().
	Logger *slog.Logger
	// Now is the relay's clock. Nil: time.Now.
	Now func() time.Time
}

// Server is the relay: an http.Handler over the store, plus the background
// purge. Make one with Open; Close it when done.
type Server struct {
	cfg    Config
	lim    Limits
	store  *store
	log    *slog.Logger
	now    func() time.Time
	public *url.URL       // nil when built per request
	mux    *http.ServeMux // what Handler serves
	manage *http.ServeMux // the management API alone, for LocalClient
	chain  *chainCache    // nil without a Checker

	ipLimit, shareLimit, rpcLimit *Limiter
	issuers                       *issuerKeyCache

	// locks serialize the passcode checks of one share (striped by id).
	locks    [256]sync.Mutex
	lockSeed maphash.Seed
	// hashing bounds concurrent Argon2id computations (memory).
	hashing chan struct{}

	// tokens are the outstanding location URLs, by locationID.
	// background counts the break-glass records being written
	// (breakglass.go); Close waits for them.
	background sync.WaitGroup
	// bgWindows count each emergency card's on-chain records this hour.
	bgMu      sync.Mutex
	bgWindows map[string]*breakGlassWindow

	tokensMu    sync.Mutex
	tokens      map[string]*location
	shareTokens map[string]int // outstanding tokens per share

	pending *pendingBudget // what uploads held pending may take
}

// Open opens (creating) the store in cfg.DataDir and returns a Server. It does
// not listen: use Handler, or Run.
func Open(cfg Config) (*Server, error) {
	s := &Server{
		cfg:      cfg,
		lim:      cfg.Limits.withDefaults(),
		log:      cfg.Logger,
		now:      cfg.Now,
		lockSeed: maphash.MakeSeed(),
		hashing:  make(chan struct{}, max(1, runtime.GOMAXPROCS(0))),
		tokens:   make(map[string]*location),

		shareTokens: make(map[string]int),
	}
	s.pending = newPendingBudget(s.lim.MaxPendingBytesPerClient, s.lim.MaxPendingBytes)
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.ChainTimeout <= 0 {
		s.cfg.ChainTimeout = 5 * time.Second
	}
	if s.cfg.ChainCacheTTL <= 0 {
		s.cfg.ChainCacheTTL = 5 * time.Second
	}
	if s.cfg.ChainCacheUnknownTTL <= 0 {
		s.cfg.ChainCacheUnknownTTL = min(time.Second, s.cfg.ChainCacheTTL)
	}
	if s.cfg.PendingGrace <= 0 {
		s.cfg.PendingGrace = 5 * time.Minute
	}
	if cfg.Checker != nil {
		s.chain = newChainCache(cfg.Checker, s.cfg.ChainCacheTTL, s.cfg.ChainCacheUnknownTTL, s.cfg.ChainTimeout, s.now)
	}
	if cfg.PublicURL != "" {
		u, err := ParsePublicURL(cfg.PublicURL)
		if err != nil {
			return nil, err
		}
		s.public = u
	}
	if cfg.LocalManagement && s.public == nil {
		return nil, errors.New("relay: LocalManagement needs a PublicURL: the URL links are built on")
	}
	if !cfg.DisableRateLimits {
		s.ipLimit = NewLimiter(s.lim.PerIP, 100_000)
		s.shareLimit = NewLimiter(s.lim.PerShare, 100_000)
		s.rpcLimit = NewLimiter(s.lim.PerIPRPC, 100_000)
	}
	s.issuers = newIssuerKeyCache(cfg.IssuerKeys, s.onLoopback(), s.now)
	st, err := openStore(cfg.DataDir, cfg.StoreKey)
	if err != nil {
		return nil, err
	}
	s.store = st
	s.mux, s.manage = s.routes()
	return s, nil
}

// ParsePublicURL checks a public URL for the relay: http or https, a host, no
// query or fragment, and short enough that manifest URLs stay within the SHL
// spec's 128 characters.
func ParsePublicURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("relay: public URL %q must be http(s)://host[:port][/prefix] with no query", raw)
	}
	if n := len(u.String()) + len("/shl/") + base64Len(idSize); n > 128 {
		return nil, fmt.Errorf("relay: public URL %q makes manifest URLs of %d characters; the SHL spec allows 128: use a shorter URL", raw, n)
	}
	return u, nil
}

func base64Len(n int) int { return (n*8 + 5) / 6 }

// Close closes the store. Requests in flight must be done (Run does that).
func (s *Server) Close() error {
	s.background.Wait() // break-glass records still being written
	return s.store.close()
}

// Handler is the relay's HTTP handler: routes, logging, recovery.
func (s *Server) Handler() http.Handler { return s.observe(s.mux) }

// routes builds what Handler serves, and the management API alone. With
// LocalManagement the first holds no management route at all.
func (s *Server) routes() (served, manage *http.ServeMux) {
	served, manage = http.NewServeMux(), http.NewServeMux()
	served.HandleFunc("POST /shl/{id}", s.handleManifest)
	served.HandleFunc("GET /shl/{id}", s.handleDirect)
	served.HandleFunc("OPTIONS /shl/{id}", s.handlePreflight)
	served.HandleFunc("GET /file/{token}", s.handleFile)
	served.HandleFunc("OPTIONS /file/{token}", s.handlePreflight)
	served.HandleFunc("GET /healthz", s.handleHealth)
	served.HandleFunc("GET /blob/{id}", s.handleGetBlob)
	s.mountViewer(served)
	muxes := []*http.ServeMux{manage}
	if !s.cfg.LocalManagement {
		muxes = append(muxes, served)
	}
	for _, m := range muxes {
		m.HandleFunc("POST /api/shares", s.handleCreate)
		m.HandleFunc("GET /api/shares", s.handleList)
		m.HandleFunc("DELETE /api/shares/{id}", s.handleRevoke)
		m.HandleFunc("GET /api/shares/{id}/log", s.handleLog)
		m.HandleFunc("PUT /api/shares/{id}/files", s.handleReplace)
		m.HandleFunc("POST /api/blobs", s.handlePutBlob)
		m.HandleFunc("DELETE /api/blobs/{id}", s.handleDeleteBlob)
	}
	return served, manage
}

// LocalClient is a client of this relay's management API that reaches it
// in process, never through the network, signing with key: the way a
// wallet puts shares into its own direct relay (Config.LocalManagement).
func (s *Server) LocalClient(key *ecdsa.PrivateKey) (*Client, error) {
	if s.public == nil {
		return nil, errors.New("relay: a local client needs the relay's PublicURL")
	}
	return NewClient(s.public.String(), key, &http.Client{Transport: localTransport{s: s}})
}

// localTransport hands a request to the management API in process.
type localTransport struct{ s *Server }

func (t localTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	path := strings.TrimPrefix(r.URL.Path, t.s.public.Path)
	r.URL = &url.URL{Path: path, RawQuery: r.URL.RawQuery}
	r.RequestURI, r.RemoteAddr, r.Host = r.URL.RequestURI(), "in-process", t.s.public.Host
	rec := httptest.NewRecorder()
	t.s.observe(t.s.manage).ServeHTTP(rec, r)
	return rec.Result(), nil
}

// Run serves on ln until ctx ends, purging expired shares in the
// background; then it stops accepting, waits up to drain for requests in
// flight (http.Server.Shutdown), closes the store and returns nil. It returns
// an error only when serving fails.
func (s *Server) Run(ctx context.Context, ln net.Listener, drain time.Duration) error {
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	purgeCtx, stopPurge := context.WithCancel(context.Background())
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		s.purgeLoop(purgeCtx)
	}()
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		s.log.Info("relay shutting down", "drain", drain.String())
		sctx, cancel := context.WithTimeout(context.Background(), drain)
		err = hs.Shutdown(sctx)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			s.log.Warn("relay: requests still running after the drain time were cut off")
			hs.Close()
			err = nil
		}
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	stopPurge()
	<-purged
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	if cerr := s.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("relay: closing the store: %w", cerr)
	}
	if err != nil {
		return fmt.Errorf("relay: serving: %w", err)
	}
	s.log.Info("relay stopped")
	return nil
}

func (s *Server) purgeLoop(ctx context.Context) {
	t := time.NewTicker(s.lim.PurgeInterval)
	defer t.Stop()
	for {
		if _, err := s.Purge(); err != nil {
			s.log.Error("relay purge failed", "err", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Purge shreds the files of every share that is no longer active (expired,
// revoked, locked), settles pending shares past their grace (active if their
// grant appeared, else deleted), deletes ended shares past the retention
// time, and drops expired location URLs, nonces, chain answers and idle
// rate-limit buckets. Run calls it every Limits.PurgeInterval. It returns how
// many shares it shredded.
func (s *Server) Purge() (int, error) {
	now := s.now()
	s.tokensMu.Lock()
	for id, l := range s.tokens {
		if !now.Before(l.expires) {
			s.forgetLocationLocked(id, l)
		}
	}
	s.tokensMu.Unlock()
	s.ipLimit.Sweep(now)
	s.shareLimit.Sweep(now)
	s.rpcLimit.Sweep(now)
	s.issuers.sweep()
	s.chain.sweep()
	dropped, err := s.settlePending(now)
	if err != nil {
		return 0, fmt.Errorf("relay: purging: %w", err)
	}
	if dropped > 0 {
		s.log.Info("relay purge: uploads whose grant never appeared on chain deleted", "deleted", dropped)
	}
	ended, err := s.settleCareCopies(now)
	if err != nil {
		return 0, fmt.Errorf("relay: purging: %w", err)
	}
	if ended > 0 {
		s.log.Info("relay purge: care copies whose delegation ended deleted", "ended", ended)
	}
	blobs, err := s.store.purgeBlobs(now)
	if err != nil {
		return 0, fmt.Errorf("relay: purging: %w", err)
	}
	if blobs > 0 {
		s.log.Info("relay purge: expired blobs deleted", "deleted", blobs)
	}
	rep, err := s.store.purge(now, s.lim.Retention)
	if rep.Shredded+rep.Deleted > 0 {
		s.log.Info("relay purge", "shredded", rep.Shredded, "deleted", rep.Deleted, "nonces", rep.Nonces)
	}
	if err != nil {
		return rep.Shredded, fmt.Errorf("relay: purging: %w", err)
	}
	return rep.Shredded, nil
}

// ---- Observability ----

type ctxKey int

const requestIDKey ctxKey = 0

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id, logs it (route pattern, never the path:
// paths hold share ids and tokens), and turns a panic into a 500.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		var idb [8]byte
		rand.Read(idb[:])
		rid := hex.EncodeToString(idb[:])
		w.Header().Set("X-Request-Id", rid)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey, rid))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.Error("relay handler panicked", "request_id", rid, "route", r.Pattern, "panic", fmt.Sprintf("%T", p))
				if sw.status == 0 {
					writeError(sw, http.StatusInternalServerError, "internal error; the relay's operator can find it by the X-Request-Id")
				}
			}
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			s.log.Info("request",
				"request_id", rid,
				"route", route,
				"status", sw.status,
				"latency_ms", float64(time.Since(start).Microseconds())/1000,
				"bytes", sw.bytes)
		}()
		next.ServeHTTP(sw, r)
	})
}

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// internalError logs err (which must carry no health data: store and
// encoding errors only) and answers 500.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.Error("relay: "+what, "request_id", requestID(r.Context()), "route", r.Pattern, "err", err.Error())
	writeError(w, http.StatusInternalServerError, "internal error; the relay's operator can find it by the X-Request-Id")
}

// ---- Responses ----

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

const notFoundMessage = "this link is not active: it is unknown, expired or revoked"

func writeNotFound(w http.ResponseWriter) { writeError(w, http.StatusNotFound, notFoundMessage) }

func writeRateLimited(w http.ResponseWriter, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(RetryAfterSeconds(wait)))
	writeError(w, http.StatusTooManyRequests, "too many requests: wait for the Retry-After seconds and try again")
}

// readBody reads a request body up to limit bytes; over it, it answers 413
// and returns false.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, bool) {
	if r.Body == nil { // only from a handler called directly
		return nil, true
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("the request body is over this relay's limit of %d bytes", limit))
			return nil, false
		}
		writeError(w, http.StatusBadRequest, "reading the request body failed")
		return nil, false
	}
	return body, true
}

// clientIP is the address rate limits apply to.
func (s *Server) clientIP(r *http.Request) string { return ClientIP(r, s.cfg.TrustProxy) }

// ClientIP is the address a request came from, for rate limits: the
// connection's peer, or with trustProxy the last X-Forwarded-For entry (the
// one the proxy in front added; earlier entries are the client's to forge).
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if xff := r.Header.Values("X-Forwarded-For"); len(xff) > 0 {
			last := xff[len(xff)-1]
			if i := strings.LastIndexByte(last, ','); i >= 0 {
				last = last[i+1:]
			}
			if ip := strings.TrimSpace(last); ip != "" {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// allowClient applies the per-client rate limit; on refusal it has answered
// 429.
func (s *Server) allowClient(w http.ResponseWriter, r *http.Request) bool {
	ok, wait := s.ipLimit.Allow(RateKey(s.clientIP(r)), s.now())
	if !ok {
		writeRateLimited(w, wait)
	}
	return ok
}

// origin is the origin signed requests must be made for: the public URL's,
// or, when none is configured, the one the request was sent to (the
// weaker fallback: hw relay always configures one).
func (s *Server) origin(r *http.Request) string {
	if s.public != nil {
		return Origin(s.public)
	}
	u, err := url.Parse(s.baseURL(r))
	if err != nil {
		return ""
	}
	return Origin(u)
}

// baseURL is the public URL to build links on.
func (s *Server) baseURL(r *http.Request) string {
	if s.public != nil {
		return s.public.String()
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.store.db.View(func(*bolt.Tx) error { return nil }); err != nil {
		writeError(w, http.StatusServiceUnavailable, "the store does not answer")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, "ok\n")
}
