package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/term"

	"healthwallet/wallet"
)

// minPasswordLen is the shortest new password hw accepts, in characters.
const minPasswordLen = 8

// secretSource names where one kind of secret may come from, in order: an
// environment variable, a file given by a flag, the terminal.
type secretSource struct {
	env      string // e.g. HW_PASSWORD
	file     string // value of the flag naming a file, may be empty
	fileFlag string // e.g. --password-file, for messages
	what     string // e.g. "password", for prompts and messages
}

func (c *cli) currentPasswordSource() secretSource {
	return secretSource{env: "HW_PASSWORD", file: c.passwordFile, fileFlag: "--password-file", what: "password"}
}

// newWalletPasswordSource is where init and restore take the password of the
// wallet they make: the same places as the current password.
func (c *cli) newWalletPasswordSource() secretSource {
	src := c.currentPasswordSource()
	src.what = "new password"
	return src
}

// password reads the wallet's current password. fromPrompt says whether a
// person typed it, so that a wrong one may be asked again.
func (c *cli) password(ctx context.Context) (pw []byte, fromPrompt bool, err error) {
	return c.readSecret(ctx, c.currentPasswordSource(), false)
}

// newPassword reads a password being set, confirmed when typed, and refuses
// one that is too short.
func (c *cli) newPassword(ctx context.Context, src secretSource) ([]byte, error) {
	for try := 1; ; try++ {
		pw, fromPrompt, err := c.readSecret(ctx, src, true)
		if err != nil {
			return nil, err
		}
		if n := utf8.RuneCount(pw); n < minPasswordLen {
			clear(pw)
			if fromPrompt && try < 3 {
				fmt.Fprintf(c.stderr, "That %s is too short: use at least %d characters.\n", src.what, minPasswordLen)
				continue
			}
			return nil, userErrorf("that %s is too short (%d characters): use at least %d", src.what, n, minPasswordLen)
		}
		return pw, nil
	}
}

// readSecret reads one secret from src. With confirm, a typed secret is
// asked twice.
func (c *cli) readSecret(ctx context.Context, src secretSource, confirm bool) ([]byte, bool, error) {
	if v := c.getenv(src.env); v != "" {
		return []byte(v), false, nil
	}
	if src.file != "" {
		b, err := os.ReadFile(src.file)
		if err != nil {
			return nil, false, userErrorf("reading the %s from %s: %w", src.what, src.file, err)
		}
		line, _, _ := bytes.Cut(b, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return nil, false, userErrorf("%s is empty: put the %s on its first line", src.file, src.what)
		}
		return line, false, nil
	}
	if c.tty == nil {
		return nil, false, userErrorf("no %s given and no terminal to ask it on: set %s, or pass %s FILE", src.what, src.env, src.fileFlag)
	}
	for try := 1; ; try++ {
		pw, err := c.promptHidden(ctx, fmt.Sprintf("%s: ", capitalize(src.what)))
		if err != nil {
			return nil, false, err
		}
		if !confirm {
			return pw, true, nil
		}
		again, err := c.promptHidden(ctx, fmt.Sprintf("Repeat the %s: ", src.what))
		if err != nil {
			return nil, false, err
		}
		same := bytes.Equal(pw, again)
		clear(again)
		if same {
			return pw, true, nil
		}
		clear(pw)
		if try == 3 {
			return nil, false, userErrorf("the two %ss did not match; nothing was changed", src.what)
		}
		fmt.Fprintf(c.stderr, "The two did not match, try again.\n")
	}
}

// mnemonic reads a recovery phrase: $HW_MNEMONIC, else standard input when
// it is not a terminal, else a prompt (three tries). The phrase is checked.
func (c *cli) mnemonic(ctx context.Context) (string, error) {
	if v := c.getenv("HW_MNEMONIC"); v != "" {
		return checkPhrase(normalizePhrase(v))
	}
	if c.tty == nil {
		b, err := io.ReadAll(io.LimitReader(c.stdin, 64<<10))
		if err != nil {
			return "", fmt.Errorf("reading the recovery phrase from standard input: %w", err)
		}
		m := normalizePhrase(string(b))
		if m == "" {
			return "", userErrorf("no recovery phrase given: set HW_MNEMONIC, pipe the 24 words on standard input, or run hw in a terminal to type them")
		}
		return checkPhrase(m)
	}
	for try := 1; ; try++ {
		b, err := c.promptHidden(ctx, "Recovery phrase (24 words, not shown as you type): ")
		if err != nil {
			return "", err
		}
		m, err := checkPhrase(normalizePhrase(string(b)))
		clear(b)
		if err == nil || try == 3 {
			return m, err
		}
		fmt.Fprintf(c.stderr, "%v\n", err)
	}
}

// normalizePhrase lowercases the words and separates them by single spaces,
// so that line breaks and spacing from a written copy do not matter. A copy
// of the numbered grid hw init shows ("1. word  7. word …") is put back in
// the order of its numbers.
func normalizePhrase(s string) string {
	fields := strings.Fields(strings.ToLower(s))
	if words, ok := numberedWords(fields); ok {
		fields = words
	}
	return strings.Join(fields, " ")
}

// numberedWords reads fields that alternate "N." and a word, with every
// number from 1 up present once, and returns the words in number order.
func numberedWords(fields []string) ([]string, bool) {
	if len(fields) == 0 || len(fields)%2 != 0 {
		return nil, false
	}
	words := make([]string, len(fields)/2)
	for i := 0; i < len(fields); i += 2 {
		n, err := strconv.Atoi(strings.TrimRight(fields[i], ".)"))
		if err != nil || n < 1 || n > len(words) || words[n-1] != "" {
			return nil, false
		}
		words[n-1] = fields[i+1]
	}
	return words, true
}

func checkPhrase(m string) (string, error) {
	if err := wallet.CheckMnemonic(m); err != nil {
		return "", userErrorf("%w: check each word and their order against your written copy", err)
	}
	return m, nil
}

// promptHidden asks on the terminal without echo. An interrupt while waiting
// puts the terminal back as it was and cancels.
func (c *cli) promptHidden(ctx context.Context, prompt string) ([]byte, error) {
	fd := int(c.tty.Fd())
	state, err := term.GetState(fd)
	if err != nil {
		return nil, fmt.Errorf("reading the terminal: %w", err)
	}
	fmt.Fprint(c.stderr, prompt)
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := term.ReadPassword(fd)
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		fmt.Fprintln(c.stderr)
		if r.err != nil {
			return nil, fmt.Errorf("reading the terminal: %w", r.err)
		}
		return r.b, nil
	case <-ctx.Done():
		term.Restore(fd, state)
		fmt.Fprintln(c.stderr)
		return nil, ctx.Err()
	}
}

// askYes asks question on the terminal; any answer but y or yes is refused
// with a user error saying refused ("not revoked").
func (c *cli) askYes(ctx context.Context, question, refused string) error {
	answer, err := c.promptLine(ctx, question)
	if err != nil {
		return err
	}
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return userErrorf("%s", refused)
	}
	return nil
}

// confirmIrreversible asks before a step that cannot be undone: --yes goes
// on, a terminal is asked (askYes), and without either hw refuses, saying
// what --yes would do (needYes).
func (c *cli) confirmIrreversible(ctx context.Context, yes bool, question, refused, needYes string) error {
	switch {
	case yes:
		return nil
	case c.tty != nil:
		return c.askYes(ctx, question, refused)
	}
	return userErrorf("%s: pass --yes to confirm", needYes)
}

// promptLine asks on the terminal with echo and returns the line typed.
func (c *cli) promptLine(ctx context.Context, prompt string) (string, error) {
	fmt.Fprint(c.stderr, prompt)
	done := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		// Byte by byte, so nothing typed ahead is swallowed by a buffer.
		var line []byte
		b := make([]byte, 1)
		for {
			n, err := c.tty.Read(b)
			if n == 1 && b[0] != '\n' {
				line = append(line, b[0])
			}
			if (n == 1 && b[0] == '\n') || err != nil {
				if err != nil && !errors.Is(err, io.EOF) {
					errc <- err
					return
				}
				done <- strings.TrimRight(string(line), "\r")
				return
			}
		}
	}()
	select {
	case s := <-done:
		return s, nil
	case err := <-errc:
		return "", fmt.Errorf("reading the terminal: %w", err)
	case <-ctx.Done():
		fmt.Fprintln(c.stderr)
		return "", ctx.Err()
	}
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
