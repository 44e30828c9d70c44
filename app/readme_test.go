package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeImage is a markdown image link, ![alt](path), or an HTML one.
var readmeImage = regexp.MustCompile(`!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]*\ssrc="([^"]+)"`)

// The README's screenshots are the goldens of TestGoldens: every image it
// links is there, so a renamed or dropped golden cannot leave a broken
// picture on the project's front page.
func TestReadmeScreenshotsExist(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatalf("reading the README: %v", err)
	}
	screenshots := 0
	for _, m := range readmeImage.FindAllStringSubmatch(string(readme), -1) {
		link := m[1] + m[2]
		if strings.Contains(link, "://") {
			continue // not ours to check
		}
		if strings.HasPrefix(link, "app/testdata/") {
			screenshots++
		}
		if _, err := os.Stat(filepath.Join("..", filepath.FromSlash(link))); err != nil {
			t.Errorf("the README shows %s, which is not there: rename the link with the golden (app/testdata), or run TestGoldens", link)
		}
	}
	if screenshots == 0 {
		t.Error("the README shows no screenshot of the app (its \"What it looks like\" section links app/testdata/*.png)")
	}
}
