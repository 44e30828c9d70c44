package app

import (
	"context"
	"errors"
	"image"
	"io"

	"healthwallet/wallet"
)

// The fake wallet's cards, documents and trust: tests that need them use a
// real wallet (real_wallet_test.go); these only satisfy the interface.

var errFakeUnsupported = errors.New("not in the fake wallet")

func (f *fakeWallet) ImportText(context.Context, string, string) (wallet.ImportReport, error) {
	return wallet.ImportReport{}, errFakeUnsupported
}
func (f *fakeWallet) TrustAdd(context.Context, string) (wallet.TrustedDirectory, error) {
	return wallet.TrustedDirectory{}, errFakeUnsupported
}
func (f *fakeWallet) TrustList() ([]wallet.TrustedDirectory, []wallet.TrustedIssuer, error) {
	return nil, nil, nil
}
func (f *fakeWallet) TrustRemove(string) error { return errFakeUnsupported }
func (f *fakeWallet) OpenAttachment(string) (io.ReadCloser, wallet.AttachmentInfo, error) {
	return nil, wallet.AttachmentInfo{}, errFakeUnsupported
}
func (f *fakeWallet) EditDocument(string, wallet.DocumentEdit) error { return errFakeUnsupported }
func (f *fakeWallet) DocumentPreview(string, int, int) (image.Image, error) {
	return nil, errFakeUnsupported
}
func (f *fakeWallet) DocumentSections(string) ([]wallet.NarrativeSection, error) {
	return nil, errFakeUnsupported
}
