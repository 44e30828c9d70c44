package main

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"healthwallet/wallet"
)

// chainSettings reads the command line into the wallet's own settings; bad
// values are refused with the variable's name.
func TestChainSettingsFromEnvironment(t *testing.T) {
	const reg = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
	env := func(m map[string]string) *cli {
		return &cli{getenv: func(k string) string { return m[k] }}
	}
	c := env(map[string]string{"HW_CHAIN": " http://127.0.0.1:8545 ", "HW_REGISTRY": reg, "HW_CHAIN_ID": "1337"})
	s, err := c.chainSettings()
	if err != nil {
		t.Fatal(err)
	}
	want := wallet.ChainSettings{URL: "http://127.0.0.1:8545", Registry: common.HexToAddress(reg).Hex(), ChainID: 1337}
	if s != want {
		t.Errorf("settings %+v, want %+v", s, want)
	}
	if registryOf(s) != common.HexToAddress(reg) || chainIDOf(s).Cmp(big.NewInt(1337)) != 0 {
		t.Errorf("registry %s, chain id %s", registryOf(s), chainIDOf(s))
	}
	c.chainFlag = "http://node:8545"
	if s, _ := c.chainSettings(); s.URL != "http://node:8545" {
		t.Errorf("--chain gave %q", s.URL)
	}

	if s, err := env(nil).chainSettings(); err != nil || s != (wallet.ChainSettings{}) || registryOf(s) != (common.Address{}) || chainIDOf(s) != nil {
		t.Errorf("no settings: %+v, %v", s, err)
	}

	for k, v := range map[string]string{
		"HW_REGISTRY": "0x12",
		"HW_CHAIN_ID": "-1",
	} {
		_, err := env(map[string]string{k: v}).chainSettings()
		if err == nil || !strings.HasPrefix(err.Error(), k+"=") {
			t.Errorf("%s=%s: %v", k, v, err)
		}
	}
	if _, err := env(map[string]string{"HW_CHAIN_ID": "18446744073709551616"}).chainSettings(); err == nil ||
		!strings.Contains(err.Error(), "is not a chain id") {
		t.Errorf("a chain id beyond 64 bits: %v", err)
	}
}
