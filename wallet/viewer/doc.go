// Package viewer is the web viewer of Health Wallet shares (DESIGN §12): a
// static page, served at /view by a relay, a network node and a wallet's
// direct share, that a clinician's phone camera opens from a share's QR
// (https://<relay>/view#shlink:/…). The page decrypts the share in the
// browser, verifies what `hw receive` verifies (the grant's signature, the
// grant on chain through the node's read-only JSON-RPC, every record's
// commitment in scope and anchored) and shows the records as a chart. The
// key stays in the URL's fragment: no request carries it.
//
// The page is built from web/ (plain JavaScript modules and the pinned
// @noble libraries, bundled by a pinned esbuild; see generate.sh) into
// dist/, which is committed, embedded here with go:embed and checked
// against a fresh build by TestBundleMatchesFreshBuild. [BundleHash] is the
// SHA-256 a network document publishes, so that anyone can check what a
// node serves.
package viewer
