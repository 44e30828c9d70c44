package wallet

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"healthwallet/chain/outbox"
	"healthwallet/wallet/record"
	"healthwallet/wallet/vault"
)

// This file: handing a person's space over as a wallet of its own (issue
// 12, item 1). A child grows up, a parent moves to their own phone: the
// records this wallet kept apart for them become a new wallet, theirs.
//
// The new wallet has a fresh recovery phrase, never one derived from this
// wallet's seed: a parent must not keep the keys of a grown child's wallet.
// So the person's address changes with the handover; the records are
// anchored again under the new wallet's own address, and the shares this
// wallet made of them under the space's address are stopped (the new wallet
// does not hold that key and could not stop them later).
//
// Nothing here is half done: the new wallet is written in a folder beside
// the destination, closed, renamed into place, opened again with its
// password and counted; only then does this wallet stop the person's shares
// and drop their space. Until that point a failure leaves this wallet as it
// was and no wallet at the destination.

// HandOverRequest says where the new wallet goes and how it is locked.
type HandOverRequest struct {
	// Path is the new wallet's folder; it must not exist yet (its parent
	// must).
	Path string
	// Password locks the new wallet; the caller checks it was typed twice.
	Password []byte
	// Options are the new wallet's: its key derivation (zero: the
	// defaults; HW_KDF=fast in tests). Its chain settings default to this
	// wallet's, which are copied into it.
	Options Options
	// Progress, when set, is told how the copy goes.
	Progress func(HandOverProgress)
}

// HandOverProgress is how far a handover is.
type HandOverProgress struct {
	Step  string // in words: "Copying records", "Checking the new wallet", …
	Done  int    // records copied
	Total int    // records to copy
}

// HandOverResult is the new wallet, for the person to take away.
type HandOverResult struct {
	Path    string `json:"path"`
	Name    string `json:"name"`
	Address string `json:"address"` // the new wallet's own address
	// RecoveryPhrase is the new wallet's 24 words: the only way into it
	// without its password. Shown once, written down, given to the person.
	RecoveryPhrase string `json:"recoveryPhrase"`
	Records        int    `json:"records"`
	// SharesRevoked counts the person's active shares this wallet stopped.
	SharesRevoked int `json:"sharesRevoked"`
	// Problem says, calmly, what is still on its way: anchoring the records
	// under the new address (the new wallet does it on its next chain
	// work), or a revocation the chain has yet to confirm.
	Problem string `json:"problem,omitempty"`
}

// ErrHandOver marks a handover refused before anything was written.
var ErrHandOver = errors.New("cannot hand over")

// HandOver moves everything this wallet holds about person (a Person.ID,
// name, birth date or address, as FindPerson takes) into a new wallet of
// their own at req.Path, with a fresh recovery phrase, named after them and
// on this wallet's chain and network settings. Every record of theirs moves
// — every version, kept files included, with where each came from — and is
// queued for anchoring under the new wallet's address (anchored at once
// when the chain can be reached). Then this wallet stops the person's active
// shares and drops their space: it keeps nothing of theirs.
//
// It refuses the owner, people cared for (their records come from their own
// wallet), an existing path and an empty password. If it fails before the
// new wallet was checked, this wallet is untouched and nothing is left at
// req.Path. If it fails after (stopping a share), the returned result still
// names the new wallet and its phrase, and the error says what to finish.
func (w *Wallet) HandOver(ctx context.Context, person string, req HandOverRequest) (HandOverResult, error) {
	if err := w.unlocked(); err != nil {
		return HandOverResult{}, err
	}
	p, err := w.FindPerson(person)
	if err != nil {
		return HandOverResult{}, err
	}
	switch {
	case p.Owner:
		return HandOverResult{}, fmt.Errorf("%w: this wallet is yours, not a space kept for someone else; to move it, back it up and restore the backup on the other device", ErrHandOver)
	case p.CaredFor:
		return HandOverResult{}, fmt.Errorf("%w: you care for %s through their own wallet; their records are already theirs", ErrHandOver, p.Name)
	}
	space, err := w.personRecordByID(p.ID)
	if err != nil {
		return HandOverResult{}, err
	}
	path := strings.TrimSpace(req.Path)
	if path == "" {
		return HandOverResult{}, fmt.Errorf("%w: say where to save %s's wallet (a new folder)", ErrHandOver, p.Name)
	}
	path, err = filepath.Abs(path)
	if err != nil {
		return HandOverResult{}, fmt.Errorf("%w: the path %q: %v", ErrHandOver, req.Path, err)
	}
	if Exists(path) {
		// Most likely a handover stopped (the computer off, the program
		// killed) after the new wallet was written but before this one let
		// go: it holds their records and opens with the password given,
		// but its recovery phrase was never shown.
		return HandOverResult{}, fmt.Errorf("%w: %s already holds a wallet. If it is from a handover of %s that did not finish, its recovery phrase was never shown and %s's records are still here: delete that folder and hand them over again (a new phrase is made), or choose another folder", ErrHandOver, path, p.Name, p.Name)
	}
	if _, err := os.Lstat(path); err == nil {
		return HandOverResult{}, fmt.Errorf("%w: %s already exists: choose a new folder for %s's wallet", ErrHandOver, path, p.Name)
	}
	parent := filepath.Dir(path)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return HandOverResult{}, fmt.Errorf("%w: the folder %s does not exist: create it, or choose another place for %s's wallet", ErrHandOver, parent, p.Name)
	}
	if insideDir(parent, w.dir) {
		return HandOverResult{}, fmt.Errorf("%w: %s is inside this wallet's own folder (%s): %s's wallet must be a folder apart, to give them, not one that goes wherever this wallet's folder goes: choose a folder outside it", ErrHandOver, path, w.dir, p.Name)
	}
	if len(req.Password) == 0 {
		return HandOverResult{}, fmt.Errorf("%w: %s's wallet needs a password", ErrHandOver, p.Name)
	}
	progress := func(step string, done, total int) {
		if req.Progress != nil {
			req.Progress(HandOverProgress{Step: step, Done: done, Total: total})
		}
	}

	opts := req.Options
	w.chainMu.Lock()
	if opts.Chain == "" {
		opts.Chain = w.chain.url
	}
	if opts.OpenChain == nil {
		opts.OpenChain = w.chain.open
	}
	if opts.Confirmations == 0 {
		opts.Confirmations = w.chain.opts.Confirmations
	}
	if opts.FeeBumpAfter == 0 {
		opts.FeeBumpAfter = w.chain.opts.BumpAfter
	}
	w.chainMu.Unlock()

	phrase, err := NewMnemonic()
	if err != nil {
		return HandOverResult{}, err
	}
	res := HandOverResult{Path: path, Name: space.Name, RecoveryPhrase: phrase}
	n, nw, err := w.writeHandOver(ctx, space, path, phrase, req.Password, opts, progress)
	if err != nil {
		return HandOverResult{}, fmt.Errorf("handing %s's records over: %w; nothing changed in this wallet and no wallet was left at %s: fix that and try again", space.Name, err, path)
	}
	res.Records = n

	// The new wallet is whole, and open from its check: it anchors its
	// records under its own address and enrols on this wallet's network.
	progress("Anchoring the records under the new wallet's address", n, n)
	var problems []string
	res.Address, err = anchorHandedOver(ctx, nw)
	nw.Close()
	if err != nil {
		problems = append(problems, err.Error())
	}

	// This wallet lets go: the shares made under the space's address stop,
	// then the space and every record in it go.
	progress("Stopping "+space.Name+"'s shares", n, n)
	revoked, _, err := w.revokePersonShares(ctx, space.ID)
	res.SharesRevoked = revoked
	if err != nil {
		return res, fmt.Errorf("%s's wallet is ready at %s, but stopping their shares here failed: %w; their space is still in this wallet: stop their shares (Sharing), then drop them from People", space.Name, path, err)
	}
	// Their space goes with their shares' records, in one transaction; it
	// stays while a stop waits for the chain or the relay (DropPerson).
	progress("Removing "+space.Name+"'s records from this wallet", n, n)
	res.Problem = strings.Join(problems, "; ")
	if err := w.DropPerson(space.ID); errors.Is(err, ErrSharesNotStopped) {
		return res, fmt.Errorf("%s's wallet is ready at %s; their records stay in this wallet for now: %w", space.Name, path, err)
	} else if err != nil {
		return res, fmt.Errorf("%s's wallet is ready at %s and their shares are stopped, but removing their records here failed: %w; drop them from People", space.Name, path, err)
	}
	return res, nil
}

// insideDir says whether folder is dir or inside it, symbolic links
// followed.
func insideDir(folder, dir string) bool {
	real := func(p string) string {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			p = r
		}
		return filepath.Clean(p)
	}
	rel, err := filepath.Rel(real(dir), real(folder))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// writeHandOver writes the new wallet in a folder beside path, renames it
// to path and checks it opens with password and holds every record. On
// failure nothing is left at path or beside it. It returns the record count
// and the new wallet, open and unlocked from its check: the caller closes it.
func (w *Wallet) writeHandOver(ctx context.Context, space personRecord, path, phrase string, password []byte, opts Options, progress func(string, int, int)) (int, *Wallet, error) {
	tmp, err := os.MkdirTemp(filepath.Dir(path), "."+filepath.Base(path)+".handover-")
	if err != nil {
		return 0, nil, fmt.Errorf("making a folder beside %s: %w", path, err)
	}
	placed := false
	defer func() {
		if !placed {
			os.RemoveAll(tmp)
		}
	}()
	nw, err := Create(tmp, phrase, password, space.Name, opts)
	if errors.Is(err, ErrBadDisplayName) {
		nw, err = Create(tmp, phrase, password, "Wallet of "+space.ID, opts)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("creating the new wallet: %w", err)
	}
	n, err := w.fillHandOver(ctx, nw, space, progress)
	if cerr := nw.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing the new wallet: %w", cerr)
	}
	if err != nil {
		return 0, nil, err
	}
	progress("Checking the new wallet", n, n)
	if _, err := os.Lstat(path); err == nil {
		// Made meanwhile: a rename would replace an empty folder.
		return 0, nil, fmt.Errorf("%s appeared while the new wallet was written: choose another folder", path)
	}
	if err := os.Rename(tmp, path); err != nil {
		return 0, nil, fmt.Errorf("moving the new wallet into place: %w", err)
	}
	placed = true
	nw, err = checkHandedOver(path, password, opts, n)
	if err != nil {
		os.RemoveAll(path)
		return 0, nil, err
	}
	return n, nw, nil
}

// fillHandOver gives nw this wallet's chain, network (not one this
// computer runs) and relay settings,
// the space's Patient facts as its owner's, and copies the space's records.
func (w *Wallet) fillHandOver(ctx context.Context, nw *Wallet, space personRecord, progress func(string, int, int)) (int, error) {
	w.mu.RLock()
	prof := w.profile
	w.mu.RUnlock()
	err := nw.updateProfile(func(np *profile) {
		if prof.Chain != nil {
			c := *prof.Chain
			np.Chain = &c
		}
		// The network this computer runs (Try it on this computer) stays
		// here: the new wallet, on the person's own device, would run a
		// network of its own under that name. It joins one from Settings.
		if prof.Network != nil && !prof.Network.Local {
			m := *prof.Network
			np.Network = &m
		}
		np.Trusted = slices.Clone(prof.Trusted)
		np.NoAccessOnChain = prof.NoAccessOnChain
		np.NetworkInvite = prof.NetworkInvite
	})
	if err != nil {
		return 0, err
	}
	relayURL, err := w.RelayURL()
	if err != nil {
		return 0, err
	}
	if relayURL != "" {
		if err := nw.SetRelayURL(relayURL); err != nil {
			return 0, err
		}
	}
	// The person is the new wallet's owner: later imports of their files
	// match them by name, birth date and identifiers.
	owner := personRecord{ID: OwnerID, Name: space.Name, BirthDate: space.BirthDate, Identifiers: space.Identifiers, Created: now().UTC()}
	err = nw.vault.Update(func(tx *vault.Tx) error {
		b, err := jsonMarshal(owner)
		if err != nil {
			return err
		}
		return tx.PutState(spaceOwner, []byte(OwnerID), b)
	})
	if err != nil {
		return 0, fmt.Errorf("saving who owns the new wallet: %w", mapVaultError(err))
	}
	return w.copyPersonRecords(ctx, nw, space.ID, progress)
}

// copyPersonRecords copies every version of every record of person into
// nw as its owner's, with its import time and source, and its kept file
// (a new attachment of nw's). C-CDA records point at their document's new
// record, so documents go first. It returns how many records it copied.
func (w *Wallet) copyPersonRecords(ctx context.Context, nw *Wallet, person string, progress func(string, int, int)) (int, error) {
	index, err := w.currentIndex()
	if err != nil {
		return 0, err
	}
	recs := index.List(record.Filter{Person: person, OnePerson: true})
	fromDocument := func(r record.Record) int {
		if r.Source != nil && r.Source.Document != "" {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(recs, func(a, b record.Record) int { return fromDocument(a) - fromDocument(b) })
	newIDs := map[string]string{}      // record id here → in nw
	attachments := map[string]string{} // attachment id here → in nw
	for i, rec := range recs {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if i%25 == 0 {
			progress("Copying records", i, len(recs))
		}
		id, err := parseID(rec.ID)
		if err != nil {
			return 0, err
		}
		versions, err := w.vault.Versions(id)
		if err != nil {
			return 0, fmt.Errorf("reading record %s: %w", rec.ID, mapVaultError(err))
		}
		type copied struct {
			res record.Resource
			m   versionMeta
			src *record.Source
		}
		var out []copied
		for _, v := range versions {
			m, err := decodeMeta(v.Meta)
			if err != nil {
				return 0, fmt.Errorf("record %s: %w", rec.ID, err)
			}
			body, err := w.vault.Body(id, v.Version)
			if err != nil {
				return 0, fmt.Errorf("reading record %s: %w", rec.ID, mapVaultError(err))
			}
			var src *record.Source
			if m.Source != nil {
				s := *m.Source
				src = &s
				if s.Attachment != "" {
					if src.Attachment, err = w.copyAttachment(nw, s.Attachment, attachments); err != nil {
						return 0, fmt.Errorf("copying the file kept with record %s: %w", rec.ID, err)
					}
				}
				if s.Document != "" {
					src.Document = newIDs[s.Document] // "" if the document is gone
				}
			}
			out = append(out, copied{res: record.Resource{Type: m.ResourceType, ID: m.ResourceID, FullURL: m.FullURL, Raw: body}, m: m, src: src})
		}
		var last record.Record
		err = nw.vault.Update(func(tx *vault.Tx) error {
			for _, c := range out {
				r, o, err := nw.putResource(tx, c.res, c.m.Imported, c.src, "")
				if err != nil {
					return err
				}
				if o != outcomeDuplicate {
					last = r
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("writing record %s in the new wallet: %w", rec.ID, mapVaultError(err))
		}
		newIDs[rec.ID] = last.ID
	}
	progress("Copying records", len(recs), len(recs))
	return len(recs), nil
}

// copyAttachment copies one kept file into nw, once (seen maps the ids
// copied already), and returns its id there.
func (w *Wallet) copyAttachment(nw *Wallet, id string, seen map[string]string) (string, error) {
	if to, ok := seen[id]; ok {
		return to, nil
	}
	a, err := vault.ParseAttachmentID(id)
	if err != nil {
		return "", err
	}
	rc, err := w.vault.OpenAttachment(a)
	if err != nil {
		return "", mapVaultError(err)
	}
	defer rc.Close()
	to, _, err := nw.vault.PutAttachment(rc)
	if err != nil {
		return "", mapVaultError(err)
	}
	seen[id] = to.String()
	return seen[id], nil
}

// checkHandedOver opens the wallet at path with password, as its person
// will, and checks it holds the records copied, all readable: it returns
// it open and unlocked.
func checkHandedOver(path string, password []byte, opts Options, records int) (*Wallet, error) {
	nw, err := Open(path, opts)
	if err != nil {
		return nil, fmt.Errorf("the new wallet does not open: %w", err)
	}
	if err := checkOpenHandedOver(nw, password, records); err != nil {
		nw.Close()
		return nil, err
	}
	return nw, nil
}

// checkOpenHandedOver is checkHandedOver's check of the opened wallet nw.
func checkOpenHandedOver(nw *Wallet, password []byte, records int) error {
	if err := nw.Unlock(password); err != nil {
		return fmt.Errorf("the new wallet does not unlock with its password: %w", err)
	}
	people, err := nw.People()
	if err != nil {
		return fmt.Errorf("reading the new wallet: %w", err)
	}
	if len(people) != 1 || people[0].Records != records || len(nw.Damaged()) > 0 {
		got := 0
		for _, p := range people {
			got += p.Records
		}
		return fmt.Errorf("the new wallet holds %d records (%d damaged), not the %d copied", got, len(nw.Damaged()), records)
	}
	return nil
}

// anchorHandedOver anchors the new wallet nw's records under its own
// address and, on a network, enrols that address (best effort: what could
// not be done now, the new wallet does on its next chain work, and the
// error says so). It returns the new wallet's address.
func anchorHandedOver(ctx context.Context, nw *Wallet) (string, error) {
	addr := nw.Address()
	if m, ok := nw.Network(); ok && !m.Local {
		if err := nw.networkClient(m).Enrol(ctx, nw.networkInvite()); err != nil {
			return addr, fmt.Errorf("the new wallet could not join the %s network by itself (%v): join it from the new wallet", m.Name, err)
		}
	}
	rep, err := nw.Anchor(ctx)
	if err != nil {
		return addr, fmt.Errorf("the records are not anchored under the new wallet's address yet (%v): the new wallet anchors them on its next chain work", err)
	}
	if rep.Problem != "" {
		return addr, fmt.Errorf("the records are not anchored under the new wallet's address yet (%s): the new wallet anchors them on its next chain work", rep.Problem)
	}
	return addr, nil
}

// ActiveSharesOf counts the shares of person's records (a Person.ID) that
// still stand, as this wallet last knew: what a handover would stop.
func (w *Wallet) ActiveSharesOf(person string) (int, error) {
	if err := w.unlocked(); err != nil {
		return 0, err
	}
	shares, _, err := w.ownShares()
	if err != nil {
		return 0, err
	}
	n := 0
	for _, s := range shares {
		if standing(s, person) {
			n++
		}
	}
	return n, nil
}

// standing says whether s is a share of person's records that still
// stands: not revoked, not expired.
func standing(s ownShare, person string) bool {
	return s.Person == person && s.Revoked.IsZero() && now().Before(s.Expires)
}

// StopSharesOf stops every share of person's records (a Person.ID) that
// still stands, as Revoke does, before DropPerson: it returns how many it
// stopped, and how many of those the chain or the relay has yet to confirm
// (DropPerson waits for them: ErrSharesNotStopped).
func (w *Wallet) StopSharesOf(ctx context.Context, person string) (stopped, pending int, err error) {
	if err := w.unlocked(); err != nil {
		return 0, 0, err
	}
	return w.revokePersonShares(ctx, person)
}

// revokePersonShares stops every share of person's that still stands, as
// Revoke does: it returns how many, and how many of those the chain and the
// relay have yet to confirm.
func (w *Wallet) revokePersonShares(ctx context.Context, person string) (revoked, pending int, err error) {
	shares, _, err := w.ownShares()
	if err != nil {
		return 0, 0, err
	}
	for _, s := range shares {
		if !standing(s, person) {
			continue
		}
		err := w.Revoke(ctx, s.ID)
		switch {
		case errors.Is(err, ErrRevokePending):
			pending++
		case err != nil:
			return revoked, pending, err
		}
		revoked++
	}
	return revoked, pending, nil
}

// sharesToForget lists the ids of the shares of space's records, for
// DropPerson to forget with them. It refuses (ErrSharesNotStopped) while
// one still stands, or while one's stop is unconfirmed: its revocation
// still waits in the outbox (signed with the person's key, which the
// network takes only from their address and the outbox needs to sign it
// again), or neither the chain nor the relay has confirmed it yet.
func (w *Wallet) sharesToForget(space personRecord) ([]string, error) {
	shares, rows, err := w.ownShares()
	if err != nil {
		return nil, err
	}
	var ids []string
	var open, waiting int
	for _, s := range shares {
		if s.Person != space.ID {
			continue
		}
		ids = append(ids, s.ID)
		if !now().Before(s.Expires) {
			continue // expired: the relay and the chain refuse it anyway
		}
		if s.Revoked.IsZero() {
			open++
			continue
		}
		row, queued := rows[s.RevokeRow]
		onChain := queued && (row.State == outbox.Included || row.State == outbox.Final)
		if (queued && row.State == outbox.Pending) || (s.RelayPending && !onChain) {
			waiting++
		}
	}
	switch {
	case open > 0:
		return nil, fmt.Errorf("%w: %s of %s's records still open: stop them first (Sharing), then drop %s", ErrSharesNotStopped, sharesWord(open, "share"), space.Name, space.Name)
	case waiting > 0:
		return nil, fmt.Errorf("%w: the chain or the relay has yet to confirm the stop of %s of %s's records, which needs the key kept in %s's space: this wallet tries again on its next chain work; drop %s once the shares list shows them stopped", ErrSharesNotStopped, sharesWord(waiting, "share"), space.Name, space.Name, space.Name)
	}
	return ids, nil
}

// forgetBatches forgets, in tx, the anchoring of the dropped records recs:
// their versions' places in batches, and the batches made of them alone —
// their outbox rows abandoned when never sent. Such a row is signed with
// the dropped person's key, which the network takes only from their own
// address and this wallet no longer derives: it would wait for ever. A
// row already sent is left to land (its batch with it).
func forgetBatches(tx *vault.Tx, recs []record.Record) error {
	dropped := make(map[string]bool, len(recs))
	for _, r := range recs {
		dropped[r.ID] = true
	}
	var theirs []batch
	err := tx.ForEachState(spaceBatch, func(_, v []byte) error {
		var b batch
		if json.Unmarshal(v, &b) != nil || len(b.Items) == 0 {
			return nil
		}
		for _, it := range b.Items {
			id, _, _ := strings.Cut(it, ":")
			if !dropped[id] {
				return nil
			}
		}
		theirs = append(theirs, b)
		return nil
	})
	if err != nil {
		return err
	}
	for _, b := range theirs {
		if b.State == string(outbox.Pending) {
			abandoned, err := outbox.Abandon(tx, b.Row, "its records were dropped from this wallet")
			if err != nil {
				return err
			}
			if !abandoned {
				continue // on its way: followed until it lands
			}
		}
		if err := tx.DeleteState(spaceBatch, b.Root[:]); err != nil {
			return err
		}
		for _, it := range b.Items {
			if id, ver, ok := parseItem(it); ok {
				if err := tx.DeleteState(spaceVersion, versionKey(id, ver)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// sharesWord is "1 share", "2 shares".
func sharesWord(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// forgetShares deletes, in tx, this wallet's records of the shares ids and
// of their openings recorded on chain (who opened them, and why): the
// person whose space is dropped with them had them sealed to their key,
// which this wallet no longer derives.
func forgetShares(tx *vault.Tx, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	theirs := map[string]bool{}
	for _, id := range ids {
		theirs[id] = true
	}
	var opened [][]byte
	err := tx.ForEachState(spaceAccessChain, func(k, v []byte) error {
		var rec accessRecord
		if json.Unmarshal(v, &rec) == nil && theirs[rec.Share] {
			opened = append(opened, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, k := range opened {
		if err := tx.DeleteState(spaceAccessChain, k); err != nil {
			return err
		}
	}
	for id := range theirs {
		if err := tx.DeleteState(spaceShares, []byte(id)); err != nil {
			return err
		}
	}
	return nil
}
