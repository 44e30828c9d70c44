package share

import (
	"context"
	"fmt"
	"strings"
	"time"

	"healthwallet/chain/contracts"
)

// This file: the receiver's checks of a share a delegate made on the
// patient's behalf (issue 9). The grant's issuer is then the delegate's
// address, and the proof file carries the scope document the patient
// signed for that delegate. The receiver checks that the patient signed it
// for this issuer, that the delegation on chain commits to it and is active
// with SHARE, and that every record of the share is in it.

// delegation runs CheckDelegation and sets the report's OnBehalf. It
// returns the scope when the patient signed it for this issuer (so the
// records can be judged against it), nil otherwise.
func (p *reporter) delegation(ctx context.Context, chain ChainReader, chainOK bool, proof ProofFile) *DelegationScope {
	g := proof.Grant
	d := proof.Delegation
	if d == nil {
		p.add(CheckDelegation, false, "a delegate (%s) issued this grant, but the share carries no scope document signed by the patient: nothing says which records the patient let them share", g.Issuer.Hex())
		return nil
	}
	s := d.Scope
	p.r.OnBehalf = &OnBehalf{Delegate: g.Issuer, DelegateName: s.DelegateName, PatientName: s.PatientName,
		Rights: s.Rights, Types: s.Types, Categories: s.Categories, Expires: s.Expires()}
	if _, err := d.Verify(); err != nil {
		p.add(CheckDelegation, false, "%v", err)
		return nil
	}
	hash, err := s.Hash()
	if err != nil {
		p.add(CheckDelegation, false, "%v", err)
		return nil
	}
	switch {
	case s.Patient != g.Patient:
		p.add(CheckDelegation, false, "the scope document is %s's, not the patient %s's", s.Patient.Hex(), g.Patient.Hex())
		return nil
	case s.Delegate != g.Issuer:
		p.add(CheckDelegation, false, "the scope document is for the delegate %s, not for the issuer %s: it was taken from another delegation", s.Delegate.Hex(), g.Issuer.Hex())
		return nil
	}
	switch {
	case s.RightsMask()&contracts.RightShare == 0:
		p.add(CheckDelegation, false, "the patient did not give %s the right to share", g.Issuer.Hex())
	case g.Expiry > s.Expiry:
		p.add(CheckDelegation, false, "the grant lasts until %s, past the delegation's end on %s", time.Unix(int64(g.Expiry), 0).UTC().Format(time.RFC1123), s.Expires().Format(time.RFC1123))
	case !chainOK:
		p.add(CheckDelegation, false, "not checked on chain: the share is not for the chain and registry this receiver trusts")
	default:
		st, err := chain.DelegateOf(ctx, g.Patient, g.Issuer)
		switch {
		case err != nil:
			p.add(CheckDelegation, false, "could not ask the chain: %v", err)
		case st.Rights == 0:
			p.add(CheckDelegation, false, "the chain has no delegation from the patient to %s: the patient revoked it (or never made it)", g.Issuer.Hex())
		case !st.Active:
			p.add(CheckDelegation, false, "the delegation ended on %s", time.Unix(int64(st.Expiry), 0).UTC().Format(time.RFC1123))
		case st.Scope != hash:
			p.add(CheckDelegation, false, "the delegation on chain commits to another scope document: this one was altered or replaced")
		case st.Rights&contracts.RightShare == 0:
			p.add(CheckDelegation, false, "on chain, %s may not share the patient's records", g.Issuer.Hex())
		default:
			p.add(CheckDelegation, true, "%s shares for the patient with %s until %s", delegateLabel(s), strings.Join(s.Rights, ", "), s.Expires().Format(time.RFC1123))
		}
	}
	return &s
}

func delegateLabel(s DelegationScope) string {
	if s.DelegateName != "" {
		return fmt.Sprintf("%s (%s)", s.DelegateName, s.Delegate.Hex())
	}
	return s.Delegate.Hex()
}

// delegationRecords runs CheckDelegationRecords: every record the proof
// covers must be in the delegation's scope. A record outside it is not
// covered (why says so), so it is shown apart, never among the records.
func (p *reporter) delegationRecords(received []receivedRecord, proof *ProofFile, matched []int, why []string, scope *DelegationScope) {
	if scope == nil {
		p.add(CheckDelegationRecords, false, "not checked: the share has no valid scope document from the patient")
		for i := range why {
			if why[i] == "" {
				why[i] = "the share has no valid scope document from the patient for its delegate"
			}
		}
		return
	}
	var outside []string
	for i, m := range matched {
		if m < 0 || scope.CoversResource(received[m].resource) {
			continue
		}
		if why[m] == "" {
			why[m] = "outside the delegation's scope: the patient did not let the delegate see it"
		}
		outside = append(outside, fmt.Sprintf("entry %d (%s)", proof.Records[i].Index, describeResource(received[m].resource)))
	}
	if len(outside) > 0 {
		p.add(CheckDelegationRecords, false, "%d record(s) outside what the patient let the delegate see: %s", len(outside), joinFirst(outside, 5))
		return
	}
	what := "every record"
	if !scope.Everything() {
		what = "types " + fmt.Sprint(scope.Types) + ", categories " + fmt.Sprint(scope.Categories)
	}
	p.add(CheckDelegationRecords, true, "%d record(s), all in the scope (%s)", len(proof.Records), what)
}
