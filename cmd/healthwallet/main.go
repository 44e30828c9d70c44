// Command healthwallet is the Health Wallet app for desktop and phone. The
// wallet lives in wallet.DefaultDir(), or in $HW_VAULT when set (as for hw).
package main

import (
	"log"
	"os"

	fyneapp "fyne.io/fyne/v2/app"

	"healthwallet/app"
	"healthwallet/wallet"
)

func main() {
	dir := os.Getenv("HW_VAULT")
	if dir == "" {
		var err error
		if dir, err = wallet.DefaultDir(); err != nil {
			log.Fatal(err)
		}
	}
	app.Run(fyneapp.NewWithID("org.healthwallet.app"), app.NewBackend(dir, wallet.Options{}))
}
