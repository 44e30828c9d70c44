package share

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// The spec's own example (links-specification.md, "Example SMART Health
// Link Generation").
const (
	specPayload = "eyJ1cmwiOiJodHRwczovL2Voci5leGFtcGxlLm9yZy9xci9ZOXh3a1VkdG1OOXd3b0pvTjNmZkpJaFgyVUd2Q0wxSm5sUFZOTDNrRFdNL20iLCJmbGFnIjoiTFAiLCJrZXkiOiJyeFRnWWxPYUtKUEZ0Y0VkMHFjY2VOOHdFVTRwOTRTcUF3SVdRZTZ1WDdRIiwibGFiZWwiOiJCYWNrLXRvLXNjaG9vbCBpbW11bml6YXRpb25zIGZvciBPbGl2ZXIgQnJvd24ifQ"
	specBare    = "shlink:/" + specPayload
	specViewer  = "https://viewer.example.org#" + specBare
	specKey     = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"
)

func TestParseLinkSpecExample(t *testing.T) {
	for _, text := range []string{specBare, specViewer, "  " + specBare + "\r\n", "https://viewer.example.org/#/open?x=1&shlink:/" + specPayload} {
		l, err := ParseLink(text)
		if err != nil {
			t.Fatalf("ParseLink(%.40q…): %v", text, err)
		}
		if l.URL != "https://ehr.example.org/qr/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM/m" || l.Flags != "LP" ||
			l.Label != "Back-to-school immunizations for Oliver Brown" || base64.RawURLEncoding.EncodeToString(l.Key[:]) != specKey ||
			!l.Exp.IsZero() || l.V != 0 {
			t.Fatalf("ParseLink = %+v", l)
		}
		// Encoding gives back the spec's exact bytes: same field order, minified.
		if got := l.String(); got != specBare {
			t.Errorf("String() = %s\nwant       %s", got, specBare)
		}
		if got := l.WithViewer("https://viewer.example.org"); got != specViewer {
			t.Errorf("WithViewer = %s", got)
		}
	}
}

func payloadLink(json string) string {
	return "shlink:/" + base64.RawURLEncoding.EncodeToString([]byte(json))
}

func TestParseLinkRefusals(t *testing.T) {
	key := `"key":"` + specKey + `"`
	url := `"url":"https://r.example/m"`
	cases := map[string]struct {
		text  string
		field string
	}{
		"no scheme":         {"https://viewer.example/#nothing", ""},
		"no fragment":       {"https://viewer.example/shlink:/" + specPayload, ""},
		"not base64":        {"shlink:/$$$", ""},
		"not json":          {payloadLink("hello"), ""},
		"json array":        {payloadLink("[1]"), ""},
		"no url":            {payloadLink("{" + key + "}"), "url"},
		"url not string":    {payloadLink(`{"url":5,` + key + "}"), "url"},
		"url ftp":           {payloadLink(`{"url":"ftp://x/y",` + key + "}"), "url"},
		"url too long":      {payloadLink(`{"url":"https://r.example/` + strings.Repeat("a", 120) + `",` + key + "}"), "url"},
		"no key":            {payloadLink("{" + url + "}"), "key"},
		"short key":         {payloadLink("{" + url + `,"key":"abc"}`), "key"},
		"key not base64url": {payloadLink("{" + url + `,"key":"` + strings.Repeat("+", 43) + `"}`), "key"},
		"padded key":        {payloadLink("{" + url + `,"key":"` + specKey + `="}`), "key"},
		"P and U":           {payloadLink("{" + url + "," + key + `,"flag":"PU"}`), "flag"},
		"flag lower":        {payloadLink("{" + url + "," + key + `,"flag":"l"}`), "flag"},
		"flag number":       {payloadLink("{" + url + "," + key + `,"flag":1}`), "flag"},
		"exp string":        {payloadLink("{" + url + "," + key + `,"exp":"1700000000"}`), "exp"},
		"exp negative":      {payloadLink("{" + url + "," + key + `,"exp":-5}`), "exp"},
		"label too long":    {payloadLink("{" + url + "," + key + `,"label":"` + strings.Repeat("é", 81) + `"}`), "label"},
		"v fraction":        {payloadLink("{" + url + "," + key + `,"v":1.5}`), "v"},
		"huge input":        {strings.Repeat("a", 9000), ""},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseLink(c.text)
			var le *LinkError
			if !errors.As(err, &le) || !errors.Is(err, ErrBadLink) {
				t.Fatalf("ParseLink = %v; want a *LinkError", err)
			}
			if le.Field != c.field {
				t.Errorf("field %q; want %q (%v)", le.Field, c.field, err)
			}
		})
	}
}

func TestParseLinkLenient(t *testing.T) {
	key := `"key":"` + specKey + `"`
	// Unknown fields and flags are ignored (spec: SHALL ignore); label at
	// exactly 80 characters; exp with a fraction; flags normalized.
	l, err := ParseLink(payloadLink(`{"url":"http://localhost:8090/x",` + key + `,"flag":"UL","exp":1704096000.5,"_ext":{"a":1},"extension":[],"label":"` +
		strings.Repeat("ü", 80) + `","v":1,"flag2":"zz"}`))
	if err != nil {
		t.Fatal(err)
	}
	if l.Flags != "LU" || l.V != 1 || l.Exp.Unix() != 1704096000 || l.Exp.Nanosecond() != 500_000_000 {
		t.Errorf("got %+v", l)
	}
	if !l.Expired(time.Unix(1704096001, 0)) || l.Expired(time.Unix(1704096000, 0)) {
		t.Error("Expired misjudges the boundary")
	}
	l, err = ParseLink(payloadLink(`{"url":"https://r.example/m",` + key + `,"flag":"LX"}`))
	if err != nil || l.Flags != "LX" || !l.Has(FlagLongTerm) {
		t.Errorf("unknown flag X: %+v, %v", l, err)
	}
	// A newer version still parses (the label can be shown); Fetch refuses it.
	if l, err = ParseLink(payloadLink(`{"url":"https://r.example/m",` + key + `,"v":2}`)); err != nil || l.V != 2 {
		t.Errorf("v 2: %+v, %v", l, err)
	}
}

// realisticLink is a link as the wallet makes it for the relay.
func realisticLink(t testing.TB) Link {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	id, _ := NewKey()
	return Link{
		URL:   "https://relay.healthwallet.example/shl/" + base64.RawURLEncoding.EncodeToString(id[:]),
		Key:   key,
		Exp:   time.Now().Add(7 * 24 * time.Hour).Truncate(time.Second),
		Flags: "P",
		Label: "Ada L.: allergies & medications", // labels past ~36 characters do not fit with this URL
	}
}

func TestLinkWeMakeFitsTheQR(t *testing.T) {
	l := realisticLink(t)
	if err := l.Check(); err != nil {
		t.Fatal(err)
	}
	s := l.String()
	if len(s) > MaxLinkLength {
		t.Fatalf("link is %d characters: %s", len(s), s)
	}
	t.Logf("a realistic link is %d characters", len(s))
	if strings.Contains(s, "=") {
		t.Error("padding in the link")
	}
	back, err := ParseLink(s)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Exp.Equal(l.Exp) {
		t.Errorf("exp %v; want %v", back.Exp, l.Exp)
	}
	back.Exp = l.Exp
	if back != l {
		t.Errorf("round trip: %+v\nwant %+v", back, l)
	}
	// The longest label the spec allows does not fit with a long URL: Check
	// says so, and how to fix it.
	l.Label = strings.Repeat("x", MaxLabelLength)
	l.URL = "https://relay.healthwallet.example/shl/" + strings.Repeat("a", 80)
	if err := l.Check(); err == nil || !strings.Contains(err.Error(), "shorten the label") {
		t.Errorf("Check of a %d-character link = %v", len(l.String()), err)
	}
}

func TestLinkCheckRefusesWhatWeMustNotMake(t *testing.T) {
	for name, mutate := range map[string]func(*Link){
		"zero key":       func(l *Link) { l.Key = [32]byte{} },
		"unknown flag":   func(l *Link) { l.Flags = "X" },
		"unsorted":       func(l *Link) { l.Flags = "PL" },
		"P and U":        func(l *Link) { l.Flags = "PU" },
		"plain http":     func(l *Link) { l.URL = "http://relay.example/x" },
		"version 2":      func(l *Link) { l.V = 2 },
		"label too long": func(l *Link) { l.Label = strings.Repeat("x", 81) },
	} {
		l := realisticLink(t)
		mutate(&l)
		if err := l.Check(); !errors.Is(err, ErrBadLink) {
			t.Errorf("%s: Check = %v", name, err)
		}
	}
	l := realisticLink(t)
	l.URL = "http://127.0.0.1:8080/shl/x" // a wallet serving on loopback for tests
	if err := l.Check(); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}
