package network

import (
	"context"
	"errors"
	"time"
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
	// Enrolment is "open" (default) or "invitation"; InviteCode the code.
	Enrolment, InviteCode string
	// PerWalletPerDay and BudgetPerDay limit submitted actions (0: 500
	// and 100,000).
	PerWalletPerDay, BudgetPerDay int
	// BlockPeriod is the chain's block period (0: 2 s).
	BlockPeriod time.Duration
}

// Info is what a started server tells its caller.
type Info struct {
	URL         string // the base URL
	JoinURL     string // with #fp= when self-signed
	Fingerprint string
	Document    Document
}

// Server is a running network node.
type Server struct {
	info Info
}

// Start opens the chain (deploying the registry on first start) and serves
// the network on cfg.Listen until Close.
func Start(ctx context.Context, cfg ServerConfig) (*Server, error) {
	return nil, errors.New("network.Start: not built yet")
}

// Info describes the running server.
func (s *Server) Info() Info { return s.info }

// Close stops serving and closes the chain.
func (s *Server) Close() error { return nil }
