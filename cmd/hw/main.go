// Command hw is the Health Wallet on the command line: every wallet
// operation the app offers, for people who live in a terminal and for
// scripts.
//
// A wallet is created once from a new 24-word recovery phrase (hw init) or
// from an existing one (hw restore), and then unlocked with its password for
// each command:
//
//	hw init --name Ada
//	hw import ~/Downloads/records/
//	hw records --type Condition
//	hw search metformin
//	hw show 3f2a9c
//	hw export --out ada.json
//	hw backup --out ada.age
//
// # Where things come from
//
// The wallet lives in --vault DIR, else $HW_VAULT, else the platform's
// configuration folder. The password is read from $HW_PASSWORD, else from
// the first line of --password-file, else asked on the terminal without
// echo; a new password is asked twice and has at least 8 characters (hw
// passwd reads the new one from $HW_NEW_PASSWORD or --new-password-file).
// A recovery phrase is read from $HW_MNEMONIC, else from standard input when
// that is not a terminal, else asked on the terminal.
//
// HW_KDF=fast makes new wallets derive their key with Argon2id t=1, 8 MiB,
// p=1 instead of t=3, 64 MiB, p=4. It exists for tests and scripted demos
// only; a wallet made with it is easy to brute-force, and hw says so.
//
// # Output and exit codes
//
// --json makes commands print JSON for programs: one object, or for lists
// one object per line. Progress and warnings go to standard error.
//
// hw exits 0 on success; 1 on an error the user can act on (wrong password,
// no wallet, bad phrase, missing file, wallet open elsewhere, interrupted),
// printing one line that says what happened and what to do; 2 on an internal
// error. SIGINT and SIGTERM cancel the running command cleanly: an import
// keeps the files it finished and lands nothing of the one it was reading.
//
// hw holds no crypto or storage code of its own: it is a thin shell over
// package wallet, like the app.
package main

import "os"

func main() { os.Exit(hwMain()) }
