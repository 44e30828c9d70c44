// Package relay is Health Wallet's link server: it holds the encrypted files of
// SMART Health Links (shared/specs/links-specification.md) and hands them to
// whoever holds a link, for as long as the patient's consent stands.
//
// A patient's wallet uploads a share with a [Client] ([Client.CreateShare]);
// the relay answers the SHL protocol to receivers; the wallet reads who came
// ([Client.AccessLog]) and can end the share at any moment ([Client.Revoke]).
// `hw relay` runs a [Server] as a process:
//
//	srv, err := relay.Open(relay.Config{DataDir: dir, PublicURL: "https://relay.example.org"})
//	...
//	err = srv.Run(ctx, listener) // until ctx ends, then drains and returns nil
//
// # What the relay promises
//
//   - It only ever holds ciphertext: the JWE strings the wallet uploaded (the
//     link's key never reaches it) and metadata — share id, patient address,
//     grant digest, flags, expiry, a passcode hash, counters, and an access log
//     sealed to the patient.
//   - A share is served only while it is active: not expired, not revoked by
//     the patient, not locked by too many wrong passcodes, and — when a
//     [GrantChecker] is configured — while the chain says the patient's
//     grant is active and, when a delegate issued the grant (or uploaded the
//     share), that the delegate still holds SHARE. Every other case is a
//     404, the same for an id that never existed: a client learns nothing
//     about why.
//   - Strangers cannot use it as free storage. With a chain, an upload must
//     name a grant the patient it names has on chain: one not there yet is
//     held pending — never served — for [Config.PendingGrace] (5 minutes),
//     and deleted if the grant does not appear (a stranger naming someone
//     else's grant, or a digest never granted, is deleted then). An upload
//     signed by someone other than the patient must come from a delegate
//     holding SHARE for the patient (a caregiver's copy). Each uploader key
//     may keep [Limits.MaxSharesPerKey] shares (then 429) and
//     [Limits.MaxBytesPerKey] bytes (then 413), and the relay
//     [Limits.MaxTotalBytes] in all (413); an ended share frees its room.
//   - When a share ends its files are deleted at once (revocation, chain
//     revocation, passcode lock) or by the background purge (expiry), and
//     are never served again. Only the chain reporting the grant revoked,
//     or expired by both the chain's expiry and the relay's own clock, ends
//     a share: a node that calls a grant "not active" for no reason the
//     relay can confirm (one lagging behind) gets 503 and the files stay;
//     so does a delegate's lost SHARE (404, files kept: the patient may
//     give it back). Deleted is not erased: bytes of the files may stay in
//     the store's freed pages for a while (see Storage), but they are
//     ciphertext under a key the relay never had.
//   - A passcode's wrong attempts are counted exactly, even under parallel
//     requests; at the share's limit the share is dead for good.
//
// # HTTP routes
//
// The SHL protocol, for receivers (no authentication, CORS open):
//
//	POST /shl/{id}                   manifest request {"recipient","passcode","embeddedLengthMax","purpose"}
//	GET  /shl/{id}?recipient=R       the single file of a U-flag share (application/jose)
//	GET  /file/{token}               a manifest's location URL: single use, short-lived
//	GET  /blob/{id}                  a blob (a sealed invitation): application/octet-stream
//
// The web viewer (wallet/viewer), which a share's link opens in a browser:
//
//	GET  /view, /view/viewer.js, /view/viewer.css   the page, with its strict CSP
//	GET  /issuer-keys?iss=URL        a SMART Health Card issuer's public JWKS: fetched over
//	                                 https from public addresses only, cached 1 h (failures
//	                                 5 min); 400 for a bad or private iss, 502 {"error"} when
//	                                 the issuer cannot be read (issuerkeys.go)
//	GET  /.well-known/healthwallet-network.json   with Config.NetworkDocument: the chain
//	                                 the viewer verifies against
//	POST /rpc                        with Config.RPC: that chain's read-only JSON-RPC,
//	                                 rate-limited per client ([Limits.PerIPRPC])
//
// Status codes: 200; 400 for a malformed request; 401 {"remainingAttempts":N}
// for a missing or wrong passcode; 404 for a share that is unknown, expired,
// revoked or locked; 413 for a body over the limit; 429 with Retry-After when a
// client or a share is rate limited, or a share has [Limits.MaxShareLocations]
// location URLs outstanding; 503 with Retry-After when the chain cannot
// confirm the consent (see Fail closed, below), and for a pending share.
//
// Rate limits hold per client — an IPv4 address, or an IPv6 /64, so that a
// host cannot rotate through its own prefix — and per share.
//
// A location URL serves once, for [Limits.LocationTTL]. The relay keeps the
// outstanding ones in memory only, under a hash of the token, with the
// receiver's recipient and purpose sealed under a key derived from the
// token: the table holds no receiver's words in clear.
//
// `purpose` is our extension of the manifest request (and a query parameter of
// the U-flag GET): an HL7 PurposeOfUse code or a short text the receiver gives
// for the access, shown to the patient. Other SHL servers ignore it, as the
// spec asks of unknown fields.
//
// The management API, for the patient's wallet (signed, see Authentication):
//
//	POST   /api/shares               create a share → ShareInfo
//	GET    /api/shares               the signer's shares → {"shares":[ShareInfo…]}
//	DELETE /api/shares/{id}          revoke: 204, the files deleted before the answer
//	GET    /api/shares/{id}/log      the sealed access log → {"entries":[…]}
//	PUT    /api/shares/{id}/files    replace a care copy's files {"files":[…]} → ShareInfo
//	POST   /api/blobs                store a blob {"expires","data"} → BlobInfo
//	DELETE /api/blobs/{id}           delete a blob: 204
//	GET    /healthz                  200 "ok" while the store answers
//
// # Care copies and blobs
//
// A care copy ([CreateRequest.Delegate], issue 9) is a share the patient
// uploads for one caregiver's relationship address, with no grant: the
// patient's delegation on chain is its consent. Only the patient signs it,
// and only a relay with a [GrantChecker] takes it (501 otherwise). It is
// served while delegateOf(patient, delegate) is active, with any rights;
// once the chain reports the delegation revoked (its last event is a
// DelegateRevoked mined after the copy was made, see [DelegationChecker])
// or expired by the chain's expiry and the relay's clock, it answers 404 saying the delegation ended
// and its files are deleted. Any other "not active" serves nothing (503)
// and keeps the files. The patient replaces its files as its records change
// (same id, same link, the access log kept). A blob is an opaque sealed
// invitation of at most [MaxBlobSize] bytes, kept at most [MaxBlobTTL],
// served to anyone with its unguessable URL until it expires or its
// uploader deletes it; it counts as one share in its uploader's quota.
//
// # Authentication
//
// A management request carries
//
//	Authorization: HW-Sig ts=UNIX,nonce=B64URL,sig=0xHEX
//
// where sig is an EIP-191 personal_sign (go-ethereum's accounts.TextHash) over
// the canonical string built by [CanonicalRequest]: a version line, the
// relay's public origin ([Origin] of [Config.PublicURL]), the request's
// purpose ([PurposeUpload], [PurposeList], [PurposeRevoke],
// [PurposeAccessLog], [PurposeReplace], [PurposeBlobUpload],
// [PurposeBlobDelete]), the method, the path and query, the hex SHA-256 of
// the body, the timestamp and the nonce, one per line. A signature made for
// one relay is therefore refused by every other, and one made for one kind
// of request by every other kind. The relay refuses a timestamp more than five
// minutes away from its clock and a nonce it has seen (nonces are kept in the
// store, so a restart does not reopen a replay window). The recovered address
// must be the share's patient or uploader (for a create, the patient named
// in the body, or a delegate of theirs with SHARE): 401 for a missing,
// malformed, stale, replayed or unrecoverable signature, 403 for a valid
// signature by someone else (which is also what a signature made for
// another relay or purpose recovers to).
//
// With [Config.LocalManagement] (a wallet's direct share on the local
// network) the management API is not served on the network at all: only
// [Server.LocalClient], in the same process, reaches it.
//
// # The access log
//
// Each manifest, file and direct access — served or refused — is logged with
// its time, the recipient string the receiver gave, the purpose and the
// outcome. The recipient is the receiver's self-description ("Dr. Smith, City
// Clinic"): it is for the patient only. Each entry is sealed with HPKE
// (DHKEM-X25519, HKDF-SHA256, ChaCha20-Poly1305, info "healthwallet/relay-log/v1")
// to the patient's X25519 sharing key given at creation, so a relay operator
// cannot read it; [Client.AccessLog] opens them. The relay's own logs (log/slog)
// carry request id, route pattern, status and latency, never a share id, a
// token, a recipient, a passcode, a key or any file content.
//
// # Break-glass
//
// An emergency share (an emergency card: [CreateRequest.EmergencyKey], the
// grant's access key) has every manifest served recorded on chain by the
// relay itself, through [Config.BreakGlass]: a salted commitment to the
// statement (who, as the opener says; purpose ETREAT; time), signed with the
// access key (HealthRegistry.logAccess) and paid by the relay's submitter.
// Its sealed entry carries the salt, emergency: true and the transaction
// hash, or why the write is pending (the patient's wallet then records the
// opening itself). The card is served first and the record written in the
// background; when the chain cannot confirm consent, an active emergency
// share is served all the same (break-glass). A relay without BreakGlass
// refuses emergency uploads (501); a key that is not the grant's access key
// is refused at upload (400) or, for a grant not yet on chain, never used.
//
// # Fail closed
//
// When a [GrantChecker] is configured and the chain cannot confirm the
// consent (unreachable, the grant not on chain yet, a node calling it not
// active without a revoke or an expiry), the relay answers 503 "cannot check
// consent right now" with Retry-After, serves nothing and keeps the share:
// consent it cannot confirm is consent it does not assume.
// [Config.ChainFailOpen] reverses that for active shares, for deployments
// that prefer availability (a pending share is never served); the relay's
// own expiry and revocation still hold then. A grant the chain reports
// revoked, or expired (by its expiry and the relay's clock), ends the share:
// 404 and its files deleted.
//
// The chain's answers are kept briefly so that a burst of requests costs one
// call: "active" for [Config.ChainCacheTTL] (5 s) — so a revoke on chain is
// seen at most that late — and any other answer for
// [Config.ChainCacheUnknownTTL] (1 s, or ChainCacheTTL if shorter).
//
// # Storage
//
// One bbolt file, relay.db in the data directory, fsync on. Buckets: shares
// (id → metadata JSON), files (id ‖ index → JWE), patients (address ‖ id → ∅,
// for listing, under the patient and the uploader), logs (id ‖ seq →
// HPKE-sealed entry), nonces (address ‖ nonce → expiry), usage (uploader →
// shares and bytes stored, for the quotas). With [Config.StoreKey] the
// metadata is sealed (XChaCha20-Poly1305) and the addresses in keys are
// keyed hashes, so the file holds nothing about a patient in clear: a
// wallet's direct share store is kept so. "Shredding" a share (ShareInfo.Shredded) deletes its files from the
// store in one transaction; it does not erase them. bbolt is copy-on-write and
// does not zero freed pages, so the JWE bytes can stay in the file's free
// pages until bbolt reuses them (overwriting a value first would not help: the
// zeros go to new pages too). What can remain is only ciphertext under the
// link's key, which the relay never had: unreadable without the link, and
// never served again once the share has ended. A share's metadata and access
// log stay after it ends, so the patient can still read who came, until
// [Limits.Retention] past its expiry.
//
// Location tokens live in memory only: a restart invalidates outstanding
// location URLs, and receivers re-fetch the manifest, as the spec requires
// them to be able to.
package relay
