package relay

import (
	"testing"

	"healthwallet/wallet/share"
)

// A share is cut into at most share.MaxShareFiles files (its records in
// several Bundles to stay within what jose opens, plus the proof): a relay
// at its default limits accepts that many.
func TestDefaultMaxFilesHoldsASplitShare(t *testing.T) {
	if got := (Limits{}).withDefaults().MaxFiles; got < share.MaxShareFiles {
		t.Fatalf("the relay's default MaxFiles is %d; share.BuildShare makes up to %d files", got, share.MaxShareFiles)
	}
}
