// Package share makes and opens Health Wallet shares: plain SMART Health
// Links (SHL, ../shared/specs/links-specification.md) whose files are
// encrypted with the link's key, plus a proof file that lets the receiver
// check on chain that the patient consented and that the records are the
// ones anchored. Any SHL viewer opens our shares; we open anyone's.
//
// The package is a library: it holds no wallet state, uploads nothing and
// sends no transactions. The wallet supplies the records, the relay stores
// the files, the outbox issues the grant.
//
// # Making a share
//
//	key, _ := share.NewKey()
//	s, err := share.BuildShare(share.ShareRequest{Records: recs, Key: key, Patient: me,
//		Signer: priv, PurposeCode: "TREAT", Expiry: time.Now().Add(time.Hour),
//		ChainID: chainID, Registry: registry})
//	// upload s.Files to the relay, issue s.Digest on chain until s.Grant.Expiry, then:
//	link := share.Link{URL: manifestURL, Key: key, Exp: expiry, Flags: "P", Label: "For Dr Lee"}
//	if err := link.Check(); err != nil { … }      // ≤ 300 characters, known flags
//	png, _ := share.LinkQRCode(link.String(), 8)  // level M, whole pixels per module
//
// [BuildShare] puts the records in FHIR Bundles (type collection; several
// when they are large, see [SplitBundles]) and writes the proof file
// ([ProofFile], content type [ContentTypeProof]); all are compact JWEs from
// [EncryptFile]: alg "dir", enc "A256GCM", cty set, zip "DEF" unless the
// file is larger than [MaxInflatedFile], so that viewers using jose at its
// defaults open every one.
//
// # Opening a share
//
//	report := share.Open(ctx, scannedText,
//		share.FetchOptions{Recipient: "Dr Lee, City Clinic", Passcode: pin},
//		share.VerifyInput{Chain: share.NewChainReader(client, registry),
//			ExpectChainID: chainID, ExpectRegistry: registry,
//			RecipientKeyHash: myCard.SharingKeyHash(), CardKeys: share.HTTPSResolver{}})
//
// [Open] is [ParseLink], [Fetch] and [Verify] in one. A [Report] lists every
// check with its result, in this order, each with its own name (the Check*
// constants): link well-formed; link not expired; manifest fetched; files
// decrypted; records readable; SMART Health Card signature valid (one per
// card); proof file present; chain id matches; registry matches; signature
// recovers the issuer; grant bound to this link; grant within its validity
// period; grant active on chain (issued, not revoked, not expired, for this
// patient); issuer authorized by the patient (the patient, or a delegate
// holding SHARE now); recipient matches; record commitments match; records in
// grant scope; records anchored on chain (for this patient, with the batch
// size the proof states); every record covered by the patient's consent.
// Report.Verified is true only when every check passed. A link without a proof file is another issuer's: its records are
// shown with Source "other SHL issuer (not verifiable on chain)" and it is
// never Verified.
//
// [Fetch] follows the spec: a link whose exp is past is refused before any
// request; flag U is a GET of the single file with ?recipient=; otherwise a
// POST of {recipient, passcode, embeddedLengthMax} returns the manifest and
// each file is embedded or fetched from its location. A wrong passcode is a
// [*PasscodeError] ("wrong passcode: 3 attempts left"), a revoked or expired
// link [ErrNoLongerAvailable], rate limiting a [*RateLimitedError] with the
// server's Retry-After.
//
// # The grant and its binding to the link
//
// The consent is a [Grant] signed as EIP-712 typed data (domain
// {name "HealthWallet", version "1", chainId, verifyingContract: the
// registry}); the registry records its [Grant.Digest]. Scope is the Merkle
// root (package healthwallet/chain/merkle) of the shared records' commitments, in the order of
// the proof file; purpose is [PurposeHash] of an HL7 PurposeOfUse code;
// recipient is the recipient card's SharingKeyHash, or zero for whoever holds
// the link.
//
// GrantId binds the grant to its link: grantId = [GrantID](link key) =
// keccak256("HealthWallet grant id v1" ‖ key). The key is 32 random bytes
// per link, so a grant and proof file copied into another link (a new key)
// fail the "grant bound to this link" check. We bind the key, not the
// manifest URL, because the relay may choose the URL only when the files are
// uploaded, and the files already hold the signed grant; the URL adds no
// protection the key does not give, since whoever has the key can already
// read and re-share the records, and revocation is checked on chain.
//
// # Records and commitments
//
// A record's commitment is merkle.Commit(salt, keccak256(JCS(resource)))
// (DESIGN §5, [RecordCommitment]). The receiver recomputes it from the JSON
// it received, never trusting the one in the proof.
//
// Whoever holds a link can serve its files again with more files encrypted
// under the same key, so one function decides, for each record received,
// whether the patient's consent covers it: the proof is the one proof file of
// the share, signed by the grant's issuer, its records making the grant's
// scope, and the record's content is that of one of them, each covering one
// record received. Everything else — a lone resource or a second Bundle
// added, a second copy of a record, a SMART Health Card's records (its
// issuer's evidence, not the patient's), any record when there are two proof
// files — is Report.Uncovered, never among Report.Records, and the share is
// not Verified. Files of a type this package does not show are named in the
// "records readable" check, which then fails.
//
// # SMART Health Cards
//
// An application/smart-health-card file is verified card by card with
// [VerifyCard]: ES256 with zip DEF, the issuer's key from an
// [IssuerKeyResolver] ([HTTPSResolver] for real use, [DirResolver] for
// tests and offline trust lists), the kid its thumbprint, revocation through
// the issuer's CRL when the key states a crlVersion, nbf and exp. An expired
// X.509 certificate beside the key is noted, not refused.
//
// # What it refuses
//
// Every parser here reads bytes from strangers and never panics on them:
// links over 8 KB, payloads with a url over 128 characters, a key that is
// not 32 bytes, a label over 80 characters, P and U together; JWEs with any
// alg but "dir", any enc but "A256GCM", a crit header, or a plaintext over
// 64 MiB once inflated; manifests over 96 MiB or 1,000 files; proof files
// with unknown fields, malformed hashes or inconsistent commitments; and
// plain http anywhere but this computer and, without a passcode, a patient's
// direct share on the same Wi-Fi ([CheckTransport]).
package share
