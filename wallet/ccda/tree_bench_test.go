package ccda

import (
	"strings"
	"testing"
)

// BenchmarkParseSplitText parses an element whose text comes in a million
// pieces (split by comments): linear in the input, where concatenating the
// pieces one by one took minutes.
func BenchmarkParseSplitText(b *testing.B) {
	doc := "<ClinicalDocument><title>" + strings.Repeat("a<!---->", 1_000_000) + "</title></ClinicalDocument>"
	b.SetBytes(int64(len(doc)))
	for i := 0; i < b.N; i++ {
		root, err := parse(strings.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		if got := len(root.child("title").text); got != 1_000_000 {
			b.Fatalf("title holds %d characters, want 1000000", got)
		}
	}
}
