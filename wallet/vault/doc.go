// Package vault is the wallet's encrypted store: one bbolt file holding
// versioned records, named secrets, large attachments and a small key-value
// state area for the wallet's own bookkeeping, all sealed with
// XChaCha20-Poly1305. It knows nothing of FHIR; a record is an opaque small
// "meta" (what a list needs) and an opaque "body" (the original bytes).
//
// The common case:
//
//	v, err := vault.Create(path, password, recoveryKey, vault.DefaultParams)
//	id := v.RecordID("Observation/42")
//	err = v.Update(func(tx *vault.Tx) error {
//		_, err := tx.AddVersion(id, meta, body)
//		return err
//	})
//	damaged, err := v.Scan(func(id vault.ID, versions []vault.VersionMeta) error { … })
//	body, err := v.Body(id, 1)
//	v.Lock()
//
// Later runs call [Open], then [Vault.Unlock] with the password, or
// [Vault.UnlockWithRecoveryKey] with the key derived from the 24-word
// mnemonic when the password is forgotten.
//
// # What it promises
//
//   - Nothing readable on disk. Record contents, record metas (and so names,
//     dates and resource types), secret names and values, attachment contents
//     and the time a version was written are all sealed. Records are keyed by
//     [ID]s, which are HMACs of the caller's logical keys under a key only the
//     unlocked vault has. What stays visible: the number of records, versions,
//     secrets and attachments, their approximate sizes, and the Argon2id
//     parameters.
//   - Tampering is detected, not obeyed. The associated data of every
//     ciphertext binds its purpose, record id and version, so a ciphertext
//     moved to another record or version fails to open. [Vault.Scan] reports
//     such records as [Damage] and carries on; [Vault.Body] returns
//     [ErrCorrupt] naming the record. Corrupt bytes never panic: panics in the
//     store's own page walking are recovered and reported as [ErrCorrupt].
//   - Each write is whole or not at all. [Vault.Update] runs one bbolt
//     transaction, fsynced on commit: everything its function adds lands, or
//     (on an error, a crash, a power cut) nothing does. An attachment becomes
//     visible only once its last chunk is stored; a crash midway leaves
//     chunks that the next [Open] removes.
//   - Versions are never overwritten. [Vault.Shred] deletes by
//     crypto-shredding: the record's data key and its ciphertexts are deleted
//     and later reads return [ErrShredded].
//   - Keys live in memory only while unlocked; [Vault.Lock] zeroes them (as
//     far as Go allows: the runtime may have copied them).
//
// # What it refuses
//
//   - A second program on the same file: [Open] returns [ErrInUse].
//   - Files that are not vaults ([ErrNotVault]), vaults from a newer format
//     ([ErrNewerFormat]), and headers whose Argon2id parameters are out of
//     [Params] bounds, so a doctored file cannot make Unlock exhaust memory.
//   - Overwriting: [Create] and [RestoreBackup] never replace an existing file
//     ([ErrExists]); both publish a complete, fsynced file or nothing.
//
// # Keys
//
// Password → Argon2id → key-encryption key, which wraps a random 32-byte vault
// key; a second copy of the vault key is wrapped by the recovery key (from the
// mnemonic). From the vault key, HKDF-SHA256 derives separate keys for
// data-key wrapping, secret values, attachment keys and state values; from
// the names key (the vault's first vault key) those for record ids, secret
// names and state names. Each record has its own random data key, each
// attachment its own file key.
//
// # Password changes
//
// [Vault.ChangePassword] replaces the vault key with a fresh random one,
// wraps it under the new password and the recovery key, opens every wrapped
// key, secret, state value, record and attachment with the old keys and seals
// it again with new ones, and writes all of it into a fresh, compacted file that replaces
// the vault in one rename (then the directory is synced). A crash leaves the
// old vault or the new one, whole; nothing in the new file opens with the old
// password or the old vault key, and it has no free pages holding old
// ciphertexts. The names key stays (wrapped under the vault key, header
// format 2), so record ids do not change: whoever holds the old vault key can
// still test a guessed name (e.g. Patient/123) against ids, but opens nothing.
// Every record gets a new data key and every attachment a new file key, so
// the data keys of an old copy of the file open nothing in the new one either.
// Older copies and backups are what they were: they open with the password
// and recovery phrase of their time, and show what they held then.
//
// # On disk
//
// Buckets "header" (the one header value: magic, format, Argon2id params,
// salt, the two wrapped vault keys, and from format 2 the wrapped names key), "records" (one nested bucket per [ID]:
// the wrapped data key, the tombstone Shred leaves, and per version a sealed
// meta under big-endian version ‖ 0), "bodies" (every version's sealed body,
// under the 16-byte [ID] ‖ big-endian version), "secrets" (HMAC of the name →
// sealed value), "attachments" (one nested bucket per [AttachmentID]: the
// wrapped file key and the 64 KiB STREAM chunks under big-endian counters)
// and "state" (one nested bucket per space, named by an HMAC of the space;
// entries under HMACs of (space, key), sealed values that carry their key —
// see [Tx.PutState]).
//
// Bodies are kept apart from metas so that [Vault.Scan], which decrypts every
// meta, reads only the records' pages: a record's small nested bucket is
// stored inside its parent's pages, and bodies beside the metas would have
// been read (and held in memory by the file's mapping) along with them. The
// price is that Scan does not see a missing or altered body; [Vault.Body]
// reports it, naming the record.
//
// Vaults written before the state area or the bodies bucket existed get the
// bucket on their first state write or record write.
//
// # Shredding and freed pages
//
// bbolt writes copy-on-write and does not zero freed pages, so a shredded
// record's wrapped data key may linger in free pages of the file until they
// are reused; it stays sealed under the vault key. A backup copies the file
// page by page, free pages included, so the same holds for backups.
//
// # Backups
//
// [Vault.Backup] writes an age-encrypted tar of a consistent snapshot of the
// file plus any extra files; it opens with the standard age tool. The vault
// inside stays sealed under the password and recovery key. [RestoreBackup]
// writes it back, atomically, to a path that must not exist.
package vault
