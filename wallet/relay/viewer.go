package relay

import (
	"context"
	"net/http"
	"strings"

	"healthwallet/wallet/viewer"
)

// This file: what the web viewer (wallet/viewer, DESIGN §12) needs from the
// relay that serves its page: the page itself at /view, the network
// document at NetworkDocumentPath and the chain's read-only JSON-RPC at
// /rpc (when the relay is given them), and SMART Health Card issuers' keys
// at /issuer-keys (issuerkeys.go). The page makes no request to any other
// origin, except a foreign link's own manifest and files.

// NetworkDocumentPath is where a network's document is served (the network
// package's WellKnownPath): the viewer reads it from its own origin.
const NetworkDocumentPath = "/.well-known/healthwallet-network.json"

// RPCPath is where the chain's read-only JSON-RPC is served.
const RPCPath = "/rpc"

// mountViewer adds the viewer's routes to the public mux.
func (s *Server) mountViewer(mux *http.ServeMux) {
	viewer.Mount(mux)
	mux.HandleFunc("GET /issuer-keys", s.handleIssuerKeys)
	if s.cfg.NetworkDocument != nil {
		mux.HandleFunc("GET "+NetworkDocumentPath, s.handleNetworkDocument)
	}
	if s.cfg.RPC != nil {
		mux.HandleFunc(RPCPath, s.handleRPC)
	}
}

// handleNetworkDocument answers GET NetworkDocumentPath with the document
// Config.NetworkDocument makes.
func (s *Server) handleNetworkDocument(w http.ResponseWriter, r *http.Request) {
	if !s.allowClient(w, r) {
		return
	}
	doc, err := s.cfg.NetworkDocument(r.Context())
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "this server cannot describe its network now: "+err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(doc)
}

// handleRPC hands a request to Config.RPC, within the client's rate of
// chain reads (Limits.PerIPRPC).
func (s *Server) handleRPC(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.rpcLimit.Allow(RateKey(s.clientIP(r)), s.now()); !ok {
		writeRateLimited(w, wait)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.cfg.RPC.ServeHTTP(w, r)
}

// StaticDocument is a Config.NetworkDocument that always answers doc.
func StaticDocument(doc []byte) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) { return doc, nil }
}

// ManifestURLLength is the length of the manifest URL of a share on the
// relay at public (as ParsePublicURL returns it): public, "/shl/" and the
// share id. Wallets use it to know a link's length before uploading.
func ManifestURLLength(public string) int {
	return len(strings.TrimSuffix(public, "/")) + len("/shl/") + base64Len(idSize)
}
