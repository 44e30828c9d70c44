package contracts_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/chain/contracts"
)

func TestDecodeRevert(t *testing.T) {
	id := contracts.HealthRegistryGrantExpiredErrorID()
	digest := common.HexToHash("0x01")
	data := append(append(append([]byte{}, id[:4]...), digest[:]...), common.LeftPadBytes([]byte{0x10}, 32)...)

	rev, ok := contracts.DecodeRevert(data)
	if !ok || rev.Name != "GrantExpired" || len(rev.Args) != 2 || rev.Args[0] != [32]byte(digest) || rev.Args[1] != uint64(16) {
		t.Fatalf("DecodeRevert = %+v, %v", rev, ok)
	}
	if got := rev.Error(); got != fmt.Sprintf("registry refused: GrantExpired(%v, 16)", [32]byte(digest)) {
		t.Errorf("Error() = %q", got)
	}

	for name, bad := range map[string][]byte{
		"empty":            nil,
		"short selector":   id[:3],
		"unknown selector": {0xde, 0xad, 0xbe, 0xef},
		"truncated args":   data[:len(data)-1],
		"Error(string)":    common.FromHex("0x08c379a0"),
	} {
		if rev, ok := contracts.DecodeRevert(bad); ok {
			t.Errorf("%s: decoded as %v", name, rev)
		}
	}
	if _, ok := contracts.AsRevert(errors.New("connection refused")); ok {
		t.Error("AsRevert took a network error for a revert")
	}
}
