package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"healthwallet/wallet"
	"healthwallet/wallet/record"
)

// The fake wallet's people: besides the owner, the people whose records
// are kept in the wallet, each in their own space (their records carry
// Record.Person), as the real wallet keeps them apart.

// fakeHousehold is what the fake wallet knows of its people.
type fakeHousehold struct {
	kept       []wallet.Person          // besides the owner; Records is counted
	dropped    []string                 // IDs DropPerson was given
	stopped    []string                 // IDs StopSharesOf was given
	handedOver []wallet.HandOverRequest // what each HandOver was given
	into       []string                 // ImportOptions.Into of each ImportWith
	// exported are the ids each Export was given
	exported [][]string
}

// janeID is the fake wallet's person kept apart.
const janeID = "jane-doe"

// keepsJane puts Jane Doe and three records about her in the wallet, in
// her own space.
func (w *fakeWallet) keepsJane() wallet.OtherPerson {
	w.household.kept = append(w.household.kept, wallet.Person{ID: janeID, Name: "Jane Doe", BirthDate: "2001-02-03",
		Address: "0x1111222233334444555566667777888899990000"})
	mk := func(id, typ, cat, title string, date [3]int, details ...string) record.Record {
		return record.Record{ID: id, ResourceType: typ, ResourceID: id[:6], Version: 1, Imported: day(2024, 4, 2), Person: janeID,
			Summary: record.Summary{Title: title, Category: cat, Date: day(date[0], time.Month(date[1]), date[2]), Details: details, Status: "final"}}
	}
	w.records = append(w.records,
		mk("j1d0e00001", "AllergyIntolerance", "Allergies", "Penicillin G – high", [3]int{2019, 5, 4}, "Criticality: high"),
		mk("j2d0e00002", "Condition", "Conditions", "Childhood asthma", [3]int{2008, 9, 1}, "Clinical status: active"),
		mk("j3d0e00003", "Immunization", "Immunizations", "Measles, mumps and rubella vaccine", [3]int{2002, 3, 5}),
	)
	return wallet.OtherPerson{ID: janeID, Name: "Jane Doe", BirthDate: "2001-02-03", Records: 3, New: true}
}

// isPersons says whether r is a record of the person a Query names: ""
// and OwnerID the owner, Everyone anyone, else a kept person's ID.
func isPersons(r record.Record, person string) bool {
	switch person {
	case "", wallet.OwnerID:
		return r.Person == ""
	case wallet.Everyone:
		return true
	}
	return r.Person == person
}

func (w *fakeWallet) ImportWith(ctx context.Context, paths []string, opts wallet.ImportOptions) (wallet.ImportReport, error) {
	w.household.into = append(w.household.into, opts.Into)
	return w.Import(ctx, paths, opts.Progress)
}

func (w *fakeWallet) People() ([]wallet.Person, error) {
	if err := w.check(); err != nil {
		return nil, err
	}
	count := func(id string) int {
		n := 0
		for _, r := range w.records {
			if isPersons(r, id) {
				n++
			}
		}
		return n
	}
	people := []wallet.Person{{ID: wallet.OwnerID, Name: w.name, Address: testAddress, Records: count(wallet.OwnerID), Owner: true}}
	for _, p := range w.household.kept {
		p.Records = count(p.ID)
		people = append(people, p)
	}
	return people, nil
}

func (w *fakeWallet) DropPerson(id string) error {
	if err := w.check(); err != nil {
		return err
	}
	i := slices.IndexFunc(w.household.kept, func(p wallet.Person) bool { return p.ID == id })
	if i < 0 {
		return fmt.Errorf("%w: %q", wallet.ErrNoSuchPerson, id)
	}
	w.household.kept = slices.Delete(w.household.kept, i, i+1)
	w.records = slices.DeleteFunc(w.records, func(r record.Record) bool { return r.Person == id })
	w.household.dropped = append(w.household.dropped, id)
	return nil
}

// handOverPhrase is the recovery phrase the fake wallet's HandOver gives
// the new wallet.
const handOverPhrase = "pulse creek between permit runway assume blush fringe skate uniform aim permit south fiction best primary alone unaware amused learn horse hurry join mosquito"

func (w *fakeWallet) StopSharesOf(ctx context.Context, person string) (int, int, error) {
	if err := w.check(); err != nil {
		return 0, 0, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.household.stopped = append(w.household.stopped, person)
	return 2, 0, nil
}

func (w *fakeWallet) ActiveSharesOf(person string) (int, error) {
	if err := w.check(); err != nil {
		return 0, err
	}
	return 2, nil
}

// HandOver drops the person, as the real one does once their new wallet
// is written, and says where it went.
func (w *fakeWallet) HandOver(ctx context.Context, person string, req wallet.HandOverRequest) (wallet.HandOverResult, error) {
	people, err := w.People()
	if err != nil {
		return wallet.HandOverResult{}, err
	}
	i := slices.IndexFunc(people, func(p wallet.Person) bool { return p.ID == person })
	if i < 1 {
		return wallet.HandOverResult{}, fmt.Errorf("%w: %q", wallet.ErrNoSuchPerson, person)
	}
	p := people[i]
	w.household.handedOver = append(w.household.handedOver, req)
	if req.Progress != nil {
		req.Progress(wallet.HandOverProgress{Step: "Copying records", Done: p.Records, Total: p.Records})
	}
	if err := w.DropPerson(person); err != nil {
		return wallet.HandOverResult{}, err
	}
	return wallet.HandOverResult{Path: req.Path, Name: p.Name, Address: "0x2222333344445555666677778888999900001111",
		RecoveryPhrase: handOverPhrase, Records: p.Records, SharesRevoked: 2}, nil
}

// newWalletPlace puts the fake wallet in a fixed folder, so that the
// handover form's suggestion is the same on every machine.
func (b *fakeBackend) newWalletPlace() (string, wallet.Options) {
	return "/home/ada/Health Wallet/wallet", wallet.Options{}
}

func (w *fakeWallet) ImportTextWith(ctx context.Context, text, passcode string, opts wallet.ImportOptions) (wallet.ImportReport, error) {
	w.household.into = append(w.household.into, opts.Into)
	return w.ImportText(ctx, text, passcode)
}
