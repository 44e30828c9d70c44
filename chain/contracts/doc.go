// Package contracts holds Health Wallet's on-chain registry, HealthRegistry: its
// Solidity source, the artifacts compiled from it and the Go bindings over them.
//
// The registry keeps four things, all of them hashes, addresses and times —
// never health data, never the identity of whoever a grant is for:
//
//   - anchors: anchor(root, count) records that the sender committed to a batch
//     of record commitments (the Merkle root built by package merkle) at this
//     block's time; anchorOf(patient, root) returns (anchoredAt, count).
//   - grants: issueGrant(digest, accessKey, expiry) records an EIP-712 consent
//     digest for the sender, issueGrantFor(patient, digest, accessKey, expiry)
//     does so for a delegate holding [RightShare]; revokeGrant(patient, digest)
//     ends one (patient, [RightManage] delegate or the issuing delegate);
//     grantOf and isGrantActive read them.
//   - delegations: setDelegate(delegate, rights, expiry, scope) and
//     revokeDelegate(delegate), read with delegateOf; scope is the keccak hash
//     of the scope document the patient signed off chain (never zero);
//     nonceOf(patient) is the nonce of the patient's next signed delegation
//     change.
//   - access logs: logAccess(grantKey, entry, deadline, r, vs) records a salted
//     commitment to a receiver's statement, signed with the grant's access key
//     (derived from the link's key), once per entry, while the grant is active.
//
// Storage is keyed by the patient: an anchor under keccak256(abi.encode(patient,
// root)), a grant under its grant key keccak256(abi.encode(patient, digest))
// (chain.GrantKey). A stranger who anchors the same root or issues the same
// digest writes under its own address: it can neither occupy nor block the
// patient's.
//
// Each action also has a signed form — anchorSigned, issueGrantSigned,
// revokeGrantSigned, setDelegateSigned, revokeDelegateSigned — carrying the
// signer's EIP-712 signature (compact, EIP-2098) under the domain
// {"HealthWallet", "1", chainId, registry} and a deadline. Anyone may submit it;
// the registry recovers the signer and acts for it. chain.Signer makes them and
// chain.DecodeAction reads them back. Anchors, grants, revocations and access
// entries are one-shot through state; delegations consume the patient's nonce.
//
// A grant or delegation is active while block.timestamp < expiry. Every event
// but AccessLogged has the patient as its first indexed topic, so one log query
// on (registry address, topic1 = patient) rebuilds a wallet's history;
// AccessLogged names only the grant key, so no event puts a patient beside a
// receiver. Failures are custom Solidity errors; [AsRevert] recovers them, by
// name, from a call's error.
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
	// RightShare lets the delegate issue grants for the patient (issueGrantFor,
	// issueGrantSigned).
	RightShare = 2
	// RightManage lets the delegate revoke the patient's grants.
	RightManage = 4
)
