package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileAtomic: a failed or cancelled write leaves the old file as it
// was and no temporary file behind; a good one replaces it, private.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "export.json")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := errors.New("disk on fire")
	err := writeFileAtomic(context.Background(), path, func(w io.Writer) error {
		io.WriteString(w, "half of the new")
		return failing
	})
	if !errors.Is(err, failing) {
		t.Fatalf("err = %v, want the writer's", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	err = writeFileAtomic(ctx, path, func(w io.Writer) error {
		cancel()
		_, err := io.WriteString(w, "all of the new, but cancelled")
		return err
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	assertDir := func(want string) {
		t.Helper()
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("%d files in the directory, want only export.json: %v", len(entries), entries)
		}
		if b, _ := os.ReadFile(path); string(b) != want {
			t.Errorf("file holds %q, want %q", b, want)
		}
	}
	assertDir("old")

	if err := writeFileAtomic(context.Background(), path, func(w io.Writer) error {
		_, err := io.WriteString(w, "new")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	assertDir("new")
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v (%v), want 0600: exports hold health data", st.Mode().Perm(), err)
	}
}

func TestNormalizePhrase(t *testing.T) {
	for in, want := range map[string]string{
		"  Abandon\tART \n zoo ":            "abandon art zoo",
		"1. one  3. three\n2. two  4. four": "one two three four",
		"1) one 2) two":                     "one two",
		"1. one 1. two":                     "1. one 1. two", // not a numbering: left for the check to refuse
		"one 2. two":                        "one 2. two",
		"  1. combine       3. major\n  2. rib    4. doll": "combine rib major doll",
	} {
		if got := normalizePhrase(in); got != want {
			t.Errorf("normalizePhrase(%q) = %q, want %q", in, got, want)
		}
	}
}
