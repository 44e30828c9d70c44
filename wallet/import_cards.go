package wallet

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"healthwallet/wallet/cards"
	"healthwallet/wallet/record"
	"healthwallet/wallet/share"
	"healthwallet/wallet/vault"
)

// SMART Health Cards into the vault. Every card that can be read is
// imported; what the wallet found when it checked it travels with each of
// its records (record.Source): whether the signature held with the issuer's
// keys, whether the issuer is in a directory the patient trusts (trust.go),
// whether the issuer revoked it. A card is verified only when both hold.

// maxCardText bounds a card file or pasted text read whole: as many cards
// as a file may hold.
const maxCardText = 16 << 20

// cardSession is what card import keeps across the files of one import:
// the trust store (read once, saved when keys were fetched) and the parts
// of multi-part QR codes not yet complete.
type cardSession struct {
	trust    *cards.State
	resolver *cards.Resolver
	chunks   cards.Assembler
	// chunkFiles are the files whose parts await the rest of their card.
	chunkFiles []string
}

// cardsFetcher is how the wallet reaches card issuers and directories;
// tests replace it.
var cardsFetcher cards.Fetcher = cards.HTTPSFetcher{}

// cardRecordKey keeps a card's records apart from every other card's: its
// entries are often "resource:0", "resource:1"…
func cardRecordKey(res record.Resource, src *record.Source) string {
	if src != nil && src.CardID != "" {
		return "card:" + src.CardID + "|" + record.Key(res)
	}
	return record.Key(res)
}

// importCardFile imports the SMART Health Card(s) of a .smart-health-card
// file, an shc:/ text or a JWS.
func (w *Wallet) importCardFile(f *fileImport) error {
	data, err := io.ReadAll(io.LimitReader(f.in, maxCardText+1))
	if err != nil {
		return fmt.Errorf("cannot read the file: %w", err)
	}
	if len(data) > maxCardText {
		return fmt.Errorf("too large for a SMART Health Card file (over %d MB)", maxCardText>>20)
	}
	return w.importCardText(f, data)
}

// importCardText imports the cards of a .smart-health-card document, shc:/
// QR texts (one a line; the parts of a multi-part code may come from
// several files) or compact JWSs (one a line).
func (w *Wallet) importCardText(f *fileImport, data []byte) error {
	jwss, file, err := w.cardsIn(f, data)
	if err != nil {
		return err
	}
	return w.importCards(f, file, jwss)
}

// cardsIn says which cards data holds, complete, and names where they came
// from: the file, or the files of a multi-part QR code completed by it.
func (w *Wallet) cardsIn(f *fileImport, data []byte) (jwss []string, file string, err error) {
	text := strings.TrimSpace(strings.TrimPrefix(string(data), "\ufeff"))
	if strings.HasPrefix(text, "{") {
		jwss, err := share.ParseCardFile([]byte(text))
		return jwss, f.name, err
	}
	s := &f.session.cards
	file = f.name
	chunked := false
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case len(line) >= 5 && strings.EqualFold(line[:5], "shc:/"):
			c, err := cards.ParseQRText(line)
			if err != nil {
				return nil, "", fmt.Errorf("line %d: %w", n+1, err)
			}
			jws, done, err := s.chunks.Add(c)
			if err != nil {
				return nil, "", fmt.Errorf("line %d: %w", n+1, err)
			}
			if c.Total > 1 {
				chunked = true
			}
			if done {
				jwss = append(jwss, jws)
				if c.Total > 1 && len(s.chunkFiles) > 0 {
					file = cardFilesName(s.chunkFiles, f.path)
					s.chunkFiles = nil
				}
			}
		case len(line) >= 4 && strings.EqualFold(line[:4], "shc:"):
			return nil, "", fmt.Errorf("line %d starts %q: an shc:/ QR text starts with shc:/ (the slash is missing or wrong)", n+1, truncate(line, 8))
		case strings.Count(line, ".") == 2:
			jwss = append(jwss, line)
		default:
			return nil, "", fmt.Errorf("line %d is neither an shc:/ QR text nor a card's JWS (it starts %q)", n+1, truncate(line, 16))
		}
	}
	if chunked && len(s.chunks.Missing()) > 0 {
		s.chunkFiles = append(s.chunkFiles, f.path)
	}
	if len(jwss) == 0 && !chunked {
		return nil, "", errors.New("the file holds no SMART Health Card")
	}
	if len(jwss) > 100 {
		return nil, "", fmt.Errorf("%d cards in one file, at most 100", len(jwss))
	}
	return jwss, file, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// checkedCard is a card read and checked, before it is stored.
type checkedCard struct {
	card   share.Card
	report CardReport
	source record.Source
}

// checkCard reads one card and answers the two questions apart: is the
// signature valid (issuer's keys, revocation, validity times), is the
// issuer trusted. A card that cannot be read at all is an error.
func (w *Wallet) checkCard(ctx context.Context, s *cardSession, file, jws string) (checkedCard, error) {
	jws = strings.TrimSpace(jws)
	card, err := share.ReadCard(jws)
	if err != nil {
		return checkedCard{}, err
	}
	if err := w.loadTrust(ctx, s); err != nil {
		return checkedCard{}, err
	}
	at := now().UTC()
	s.resolver.Now = at
	_, verr := share.VerifyCard(ctx, jws, s.resolver, at)
	name, trusted := s.trust.Trusted(card.Issuer)
	id := sha256.Sum256([]byte(jws))
	c := checkedCard{card: card}
	c.report = CardReport{File: file, Issuer: card.Issuer, Name: name, Trusted: trusted,
		SignatureValid: verr == nil, Revoked: errors.Is(verr, share.ErrCardRevoked)}
	c.report.Verified = c.report.SignatureValid && c.report.Trusted && !c.report.Revoked
	var problems []string
	if verr != nil {
		problems = append(problems, strings.TrimPrefix(verr.Error(), share.ErrBadCard.Error()+": "))
	}
	if !trusted {
		problems = append(problems, "its issuer "+card.Issuer+" is not in a directory of issuers you trust (add the issuer's directory to your trusted issuers)")
	}
	c.report.Problem = strings.Join(problems, "; ")
	c.source = record.Source{Kind: record.SourceCard, File: file, Issuer: card.Issuer, IssuerName: name,
		SignatureValid: c.report.SignatureValid, Trusted: trusted, Revoked: c.report.Revoked,
		CheckedAt: at.Truncate(1e9), Problem: c.report.Problem, CardID: hex.EncodeToString(id[:])}
	return c, nil
}

// cardVerdictChanged says whether a card imported again was found otherwise
// than when it was stored (its issuer trusted since, or revoked, or its keys
// fetched at last): the same records then get a new version carrying what
// was found now, rather than being dropped as duplicates that keep the old
// verdict.
func cardVerdictChanged(stored, found *record.Source) bool {
	if stored == nil || found == nil || stored.Kind != record.SourceCard || found.Kind != record.SourceCard {
		return false
	}
	return stored.SignatureValid != found.SignatureValid || stored.Trusted != found.Trusted ||
		stored.Revoked != found.Revoked || stored.IssuerName != found.IssuerName
}

// importCards checks each card (outside the vault transaction: keys may be
// fetched), then stores every card's records in one transaction.
func (w *Wallet) importCards(f *fileImport, file string, jwss []string) error {
	s := &f.session.cards
	checked := make([]checkedCard, 0, len(jwss))
	for i, jws := range jwss {
		c, err := w.checkCard(f.ctx, s, file, jws)
		if err != nil {
			if len(jwss) > 1 {
				return fmt.Errorf("card %d of %d: %w", i+1, len(jwss), err)
			}
			return err
		}
		checked = append(checked, c)
	}
	return w.vault.Update(func(tx *vault.Tx) error {
		if err := w.saveTrustIfChanged(tx, s); err != nil {
			return err
		}
		for _, c := range checked {
			before := f.report.Imported + f.report.Versions
			src := c.source
			resources, err := readResources(f, bytes.NewReader(c.card.Bundle), file)
			if err == nil {
				err = f.putAll(w, tx, resources, func(record.Resource) *record.Source { return &src })
			}
			if err != nil {
				return fmt.Errorf("the card's FHIR bundle: %w", err)
			}
			c.report.Records = f.report.Imported + f.report.Versions - before
			f.report.Cards = append(f.report.Cards, c.report)
		}
		return nil
	})
}

// cardFilesName names the files a multi-part card came from.
func cardFilesName(earlier []string, last string) string {
	names := make([]string, 0, len(earlier)+1)
	for _, p := range append(earlier, last) {
		names = append(names, filepath.Base(p))
	}
	return strings.Join(names, " + ")
}

// importCardImage imports the card in an image's QR code; isCard is false
// when the image holds no card's QR code (it is then a document). The image
// is read from its path, so f.in stays whole for the document importer.
func (w *Wallet) importCardImage(f *fileImport) (isCard bool, err error) {
	text, ok := scanCardQR(f.path)
	if !ok {
		return false, nil
	}
	return true, w.importCardText(f, []byte(text))
}

// scanCardQR reads the text of a card's QR code in the image at path; ok
// is false when there is none (or it holds something else).
func scanCardQR(path string) (string, bool) {
	file, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer file.Close()
	text, err := share.DecodeQRImage(bufio.NewReader(file))
	if err != nil {
		return "", false
	}
	text = strings.TrimSpace(text)
	if len(text) < 5 || !strings.EqualFold(text[:5], "shc:/") {
		return "", false
	}
	return text, true
}

// finishImport completes what spans files (e.g. multi-part QR codes) once
// every file has been read: the files whose parts never found the rest of
// their card are reported rejected, with the parts missing.
func (w *Wallet) finishImport(ctx context.Context, s *importSession, report *ImportReport, index *record.Index) error {
	missing := s.cards.chunks.Missing()
	if len(missing) == 0 {
		return nil
	}
	problem := "a multi-part SMART Health Card QR code is incomplete: " + strings.Join(missing, ", ") +
		" not given (import every part of the card together)"
	for _, p := range s.cards.chunkFiles {
		for i := range report.Files {
			if report.Files[i].File == p {
				report.Files[i].Kind = FileRejected
				report.Files[i].Problem = problem
			}
		}
		report.Rejected = append(report.Rejected, RejectedFile{File: p, Error: problem})
	}
	return nil
}

// loadTrust reads the trust store once per import.
// Directories added from a URL are refreshed first when they are stale
// (best effort: offline, the ones kept stand).
func (w *Wallet) loadTrust(ctx context.Context, s *cardSession) error {
	if s.trust != nil {
		return nil
	}
	st, err := w.readTrust()
	if err != nil {
		return err
	}
	s.trust = st
	s.resolver = &cards.Resolver{State: st, Fetch: cardsFetcher}
	s.resolver.Changed = refreshDirectories(ctx, st, now().UTC().Truncate(time.Second))
	return nil
}

// saveTrustIfChanged keeps the keys fetched while checking cards.
func (w *Wallet) saveTrustIfChanged(tx *vault.Tx, s *cardSession) error {
	if s.resolver == nil || !s.resolver.Changed {
		return nil
	}
	if err := writeTrust(tx, s.trust); err != nil {
		return err
	}
	s.resolver.Changed = false
	return nil
}
