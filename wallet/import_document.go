package wallet

import "errors"

// importDocumentFile keeps a PDF, image or text file whole as a sealed
// attachment under a DocumentReference record.
func (w *Wallet) importDocumentFile(f *fileImport) error {
	return errors.New("document import is not built yet")
}
