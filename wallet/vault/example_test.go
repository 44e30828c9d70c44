package vault_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"healthwallet/wallet/vault"
)

func Example() {
	dir, _ := os.MkdirTemp("", "vault-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "vault.hwv")
	recoveryKey := bytes.Repeat([]byte{1}, 32) // in the wallet: derived from the mnemonic
	params := vault.Params{Time: 1, MemoryKiB: 8 * 1024, Threads: 1}

	v, err := vault.Create(path, []byte("password"), recoveryKey, params) // use DefaultParams
	if err != nil {
		fmt.Println(err)
		return
	}
	defer v.Close()

	// One Update per imported file: all of it lands, or none.
	id := v.RecordID("MedicationStatement/1")
	err = v.Update(func(tx *vault.Tx) error {
		_, err := tx.AddVersion(id, []byte(`{"title":"Metformin"}`), []byte(`{"resourceType":"MedicationStatement"}`))
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	damaged, _ := v.Scan(func(id vault.ID, versions []vault.VersionMeta) error {
		fmt.Printf("%d version(s), latest meta %s\n", len(versions), versions[len(versions)-1].Meta)
		return nil
	})
	fmt.Println(len(damaged), "damaged")

	v.Lock()
	_, err = v.Body(id, 1)
	fmt.Println(err)
	v.Unlock([]byte("password"))
	body, _ := v.Body(id, 1)
	fmt.Println(string(body))
	// Output:
	// 1 version(s), latest meta {"title":"Metformin"}
	// 0 damaged
	// the vault is locked: unlock it with your password
	// {"resourceType":"MedicationStatement"}
}
