// Package contracts holds Health Wallet's on-chain registry, HealthRegistry: its
// Solidity source, the artifacts compiled from it and the Go bindings over them.
//
// The registry keeps three things, all of them hashes, addresses and times —
// never health data, never the identity of whoever a grant is for:
//
//   - anchors: anchor(root, count) records that the sender committed to a batch
//     of record commitments (the Merkle root built by package merkle) at this
//     block's time; anchorOf(root) returns (patient, anchoredAt, count).
//   - grants: issueGrant(digest, expiry) records an EIP-712 consent digest,
//     issueGrantFor(patient, digest, expiry) does so for a delegate holding
//     [RightShare]; revokeGrant ends one (patient, [RightManage] delegate or the
//     issuing delegate); logAccess(digest, purpose) emits an event and reverts
//     unless the grant is active; grantOf and isGrantActive read them.
//   - delegations: setDelegate(delegate, rights, expiry) and
//     revokeDelegate(delegate), read with delegateOf.
//
// A grant or delegation is active while block.timestamp < expiry. Every event's
// first indexed topic is the patient, so one log query on (registry address,
// topic1 = patient) rebuilds a wallet's whole history. Failures are custom
// Solidity errors; [AsRevert] recovers them, by name, from a call's error.
//
// # Artifacts
//
// HealthRegistry.abi, HealthRegistry.bin and healthregistry.go are generated,
// committed and never edited by hand. generate.sh (also `make contracts` and
// `go generate`) rebuilds them: npm ci installs the solc-js pinned in
// package-lock.json, compile.js compiles with fixed settings (optimizer on,
// fixed runs, pinned EVM version, no metadata hash), and the abigen pinned by
// go.mod's tool line writes the bindings. TestArtifactsMatchFreshCompile fails
// when the committed files differ from a fresh build.
//
// The bindings use the abigen v2 API: [NewHealthRegistry] for the ABI, then
// bind.Call / bind.Transact with the Pack and Unpack methods.
package contracts

//go:generate ./generate.sh

// Delegation rights for setDelegate, a bit set.
const (
	// RightView lets the delegate read the patient's records (enforced off
	// chain, by the link the patient hands over).
	RightView = 1
	// RightShare lets the delegate issue grants for the patient (issueGrantFor).
	RightShare = 2
	// RightManage lets the delegate revoke the patient's grants.
	RightManage = 4
)
