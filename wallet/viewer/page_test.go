package viewer

import (
	"regexp"
	"strings"
	"testing"
)

// TestPageKeepsRecordsInert reads the bundle the viewer serves and requires
// what the page's design promises a clinician and a patient: record text,
// which anyone who serves a share controls, never reaches the page as HTML
// (no innerHTML, outerHTML, insertAdjacentHTML or document.write anywhere in
// the bundle, the protocol modules and libraries included); nothing is kept
// in the browser (no localStorage, sessionStorage, IndexedDB, cookies or
// Cache Storage); no code is made from strings (eval, new Function); and the
// HTML carries no inline script or style, which the CSP would refuse.
func TestPageKeepsRecordsInert(t *testing.T) {
	js, err := dist.ReadFile("dist/viewer.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, banned := range []string{
		"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "createContextualFragment",
		"localStorage", "sessionStorage", "indexedDB", "document.cookie", "caches.open",
		"eval(", "new Function",
	} {
		if strings.Contains(string(js), banned) {
			t.Errorf("dist/viewer.js uses %s", banned)
		}
	}
	html, err := dist.ReadFile("dist/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if m := regexp.MustCompile(`(?is)<script[^>]*>\s*[^<\s]`).Find(html); m != nil {
		t.Errorf("index.html has an inline script: %s", m)
	}
	if m := regexp.MustCompile(`(?i)<style|\sstyle\s*=|\son[a-z]+\s*=`).Find(html); m != nil {
		t.Errorf("index.html has inline style or an event handler attribute: %s", m)
	}
	if !strings.Contains(string(html), `<main id="viewer"`) {
		t.Errorf(`index.html lacks <main id="viewer">, where the page reports data-state and data-records`)
	}
}
