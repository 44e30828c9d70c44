package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"healthwallet/wallet"
)

// Exit codes: see the package documentation.
const (
	exitOK       = 0
	exitUser     = 1
	exitInternal = 2
)

// cli is one run of hw: where it reads and writes, and the global flags.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	// tty is standard input when it is a terminal, for prompts; nil otherwise,
	// and then hw never prompts.
	tty *os.File
	// stderrTTY says whether standard error is a terminal (progress bars).
	stderrTTY bool

	vaultFlag    string
	passwordFile string
	chainFlag    string // --chain: a JSON-RPC URL; see chainURL
	jsonOut      bool

	// ranCommand is set once a command's own code starts: errors before it
	// are about the command line itself.
	ranCommand bool
}

// hwMain runs hw with the process's arguments, streams and signals, and
// returns the exit code.
func hwMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first signal cancels the command, a second one kills hw
		// the usual way: the vault's transactions keep that safe too.
		<-ctx.Done()
		stop()
	}()
	c := &cli{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		getenv:    os.Getenv,
		stderrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
	if term.IsTerminal(int(os.Stdin.Fd())) {
		c.tty = os.Stdin
	}
	return c.run(ctx, os.Args[1:])
}

// run executes one command line and returns the exit code. It never lets a
// panic escape as a trace: that is an internal error, reported in one line.
func (c *cli) run(ctx context.Context, args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(c.stderr, "hw: internal error: %v (please report this)\n", r)
			if c.getenv("HW_DEBUG") != "" {
				c.stderr.Write(debug.Stack())
			}
			code = exitInternal
		}
	}()
	root := c.rootCommand()
	root.SetArgs(args)
	root.SetIn(c.stdin)
	root.SetOut(c.stdout)
	root.SetErr(c.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if !c.ranCommand {
		c.fail(fmt.Sprintf("%v (see hw --help)", err))
		return exitUser
	}
	code, msg := classify(err)
	c.fail(msg)
	return code
}

// fail prints msg as the one line hw says about an error.
func (c *cli) fail(msg string) {
	msg = strings.Join(strings.Fields(strings.ReplaceAll(msg, "\n", "; ")), " ")
	fmt.Fprintf(c.stderr, "hw: %s\n", msg)
}

// warn prints a warning that does not stop the command.
func (c *cli) warn(format string, args ...any) {
	fmt.Fprintf(c.stderr, "hw: warning: "+format+"\n", args...)
}

// userError is an error the user can act on; its text says what to do.
type userError struct {
	msg string
	err error
}

func (e *userError) Error() string { return e.msg }
func (e *userError) Unwrap() error { return e.err }

// userErrorf makes a userError; a %w verb keeps the cause for errors.Is.
func userErrorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &userError{msg: err.Error(), err: errors.Unwrap(err)}
}

// userSentinels are the wallet's errors that a person can act on; their text
// already says what to do.
var userSentinels = []error{
	wallet.ErrNoWallet,
	wallet.ErrWalletExists,
	wallet.ErrWrongPassword,
	wallet.ErrLocked,
	wallet.ErrNotFound,
	wallet.ErrBadMnemonic,
	wallet.ErrInUse,
	wallet.ErrBadDisplayName,
	wallet.ErrNotVault,
	wallet.ErrNewerFormat,
	wallet.ErrCorrupt,
	wallet.ErrNotBackup,
}

// classify maps an error from a command to an exit code and the line to print.
func classify(err error) (int, string) {
	var ue *userError
	if errors.As(err, &ue) {
		return exitUser, err.Error()
	}
	for _, s := range userSentinels {
		if errors.Is(err, s) {
			return exitUser, err.Error()
		}
	}
	switch {
	case errors.Is(err, context.Canceled):
		return exitUser, "interrupted: work finished before the interruption is saved, the rest is not; run the command again to finish"
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission), errors.Is(err, fs.ErrExist):
		return exitUser, err.Error()
	}
	return exitInternal, fmt.Sprintf("internal error: %v (please report this)", err)
}

func (c *cli) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "hw",
		Short: "Health Wallet: your health records, encrypted, on your device",
		Long: `hw keeps your health records (FHIR R4) in an encrypted wallet that only your
password or your 24-word recovery phrase opens.

The password comes from $HW_PASSWORD, else --password-file, else a prompt.
A recovery phrase comes from $HW_MNEMONIC, else standard input, else a prompt.
HW_KDF=fast weakens the key derivation of new wallets: for tests only.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	pf := root.PersistentFlags()
	pf.StringVar(&c.vaultFlag, "vault", "", "wallet directory `DIR` (default $HW_VAULT, else the platform's configuration folder)")
	pf.BoolVar(&c.jsonOut, "json", false, "print JSON for programs instead of text")
	pf.StringVar(&c.passwordFile, "password-file", "", "read the password from the first line of `FILE`")
	pf.StringVar(&c.chainFlag, "chain", "", "chain JSON-RPC `URL` (default $HW_CHAIN, else the wallet's setting, else the embedded chain)")

	root.AddCommand(
		c.initCommand(),
		c.restoreCommand(),
		c.passwdCommand(),
		c.statusCommand(),
		c.cardCommand(),
		c.importCommand(),
		c.trustCommand(),
		c.recordsCommand(),
		c.showCommand(),
		c.editCommand(),
		c.searchCommand(),
		c.exportCommand(),
		c.backupCommand(),
		c.restoreBackupCommand(),
		c.backupIdentityCommand(),
		c.relayCommand(),
		c.networkCommand(),
		c.settingsCommand(),
	)
	root.AddCommand(c.chainCommands()...)
	root.AddCommand(c.anchorCommands()...)
	root.AddCommand(c.receiveCommands()...)
	root.AddCommand(c.shareCommands()...)
	root.AddCommand(c.delegateCommands()...)
	root.AddCommand(c.careCommands()...)
	root.AddCommand(c.emergencyCommands()...)
	return root
}

// action adapts a command body to cobra, marking that the command line was
// accepted so that later errors are reported as the command's own.
func (c *cli) action(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		c.ranCommand = true
		return f(cmd, args)
	}
}

// vaultDir is the wallet directory: --vault, else $HW_VAULT, else the default.
func (c *cli) vaultDir() (string, error) {
	if c.vaultFlag != "" {
		return c.vaultFlag, nil
	}
	if d := c.getenv("HW_VAULT"); d != "" {
		return d, nil
	}
	d, err := wallet.DefaultDir()
	if err != nil {
		return "", userErrorf("no wallet directory: %v; pass --vault DIR or set HW_VAULT", err)
	}
	return d, nil
}

// walletOptions are the options for a new wallet; HW_KDF=fast lowers the
// Argon2id cost for tests (see warnWeakKDF).
func (c *cli) walletOptions() (wallet.Options, error) {
	switch v := c.getenv("HW_KDF"); v {
	case "":
		return wallet.Options{}, nil
	case "fast":
		return wallet.Options{KDFTime: 1, KDFMemoryKiB: 8 * 1024, KDFThreads: 1}, nil
	default:
		return wallet.Options{}, userErrorf("HW_KDF=%q is not understood: unset it (HW_KDF=fast is the only value, for tests)", v)
	}
}

// warnWeakKDF says, once a wallet was made with HW_KDF=fast, what that means.
func (c *cli) warnWeakKDF() {
	if c.getenv("HW_KDF") == "fast" {
		c.warn("HW_KDF=fast: this wallet's password is protected by a weak key derivation meant for tests only; never keep real records in it")
	}
}

// openWallet opens the wallet and unlocks it with the user's password. The
// caller closes it.
func (c *cli) openWallet(ctx context.Context) (*wallet.Wallet, error) {
	dir, err := c.vaultDir()
	if err != nil {
		return nil, err
	}
	w, err := wallet.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := c.unlock(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	if d := w.Damaged(); len(d) > 0 {
		c.warn("%d record(s) failed their integrity check and are left out (first: %s: %s); restore them from a backup", len(d), d[0].ID, d[0].Problem)
	}
	return w, nil
}

// unlock unlocks w with the password, giving a person at a terminal three
// tries.
func (c *cli) unlock(ctx context.Context, w *wallet.Wallet) error {
	for try := 1; ; try++ {
		pw, fromPrompt, err := c.password(ctx)
		if err != nil {
			return err
		}
		err = w.Unlock(pw)
		clear(pw)
		if err == nil {
			return nil
		}
		if !fromPrompt || !errors.Is(err, wallet.ErrWrongPassword) || try == 3 {
			return err
		}
		fmt.Fprintln(c.stderr, "Wrong password, try again.")
	}
}
