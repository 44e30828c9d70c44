package cards

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// maxChunks bounds the parts of a multi-part shc:/ QR code: the spec has
// retired chunking, and its last version allowed very few.
const maxChunks = 99

// Chunk is one shc:/ QR text: the whole JWS (Total 1) or part Index of
// Total of one.
type Chunk struct {
	Index, Total int
	Part         string // its part of the JWS, decoded from numeric mode
}

// ParseQRText reads one shc:/ QR text in numeric mode ("shc:/" + two digits
// per character, or "shc:/I/N/" + digits for part I of N). The prefix is
// case-insensitive, as QR scanners upper-case it.
func ParseQRText(text string) (Chunk, error) {
	s := strings.TrimSpace(text)
	if len(s) < 5 || !strings.EqualFold(s[:5], "shc:/") {
		return Chunk{}, errors.New("not an shc:/ QR text")
	}
	s = s[5:]
	c := Chunk{Index: 1, Total: 1}
	if strings.Contains(s, "/") {
		fields := strings.Split(s, "/")
		if len(fields) != 3 {
			return Chunk{}, errors.New("an shc:/ QR text has the form shc:/DIGITS or shc:/PART/PARTS/DIGITS")
		}
		i, err1 := strconv.Atoi(fields[0])
		n, err2 := strconv.Atoi(fields[1])
		if err1 != nil || err2 != nil || n < 1 || n > maxChunks || i < 1 || i > n {
			return Chunk{}, fmt.Errorf("shc:/%s/%s/: the part number is not between 1 and the number of parts (at most %d)", fields[0], fields[1], maxChunks)
		}
		c.Index, c.Total, s = i, n, fields[2]
	}
	part, err := decodeNumeric(s)
	if err != nil {
		return Chunk{}, err
	}
	c.Part = part
	return c, nil
}

// decodeNumeric turns pairs of digits into characters: each pair is the
// character's code minus 45.
func decodeNumeric(s string) (string, error) {
	if s == "" {
		return "", errors.New("the shc:/ QR text holds no data")
	}
	if len(s)%2 != 0 {
		return "", fmt.Errorf("the shc:/ QR text has an odd number of digits (%d): a digit is missing or extra", len(s))
	}
	out := make([]byte, len(s)/2)
	for i := 0; i < len(s); i += 2 {
		a, b := s[i], s[i+1]
		if a < '0' || a > '9' || b < '0' || b > '9' {
			return "", fmt.Errorf("the shc:/ QR text holds %q at position %d, not digits", s[i:i+2], i+5)
		}
		v := int(a-'0')*10 + int(b-'0')
		if v > 'z'-45 {
			return "", fmt.Errorf("the shc:/ QR text holds %02d at position %d, over the largest allowed (77)", v, i+5)
		}
		out[i/2] = byte(v + 45)
	}
	return string(out), nil
}

// Assembler puts the parts of multi-part shc:/ QR codes back together, as
// they come (across the lines of a text or the files of one import). Parts
// are grouped by their number of parts.
type Assembler struct {
	sets map[int][]string // by Total: parts, "" where missing
}

// Add takes one chunk. When it completes its card, Add returns the whole
// JWS and true. A second, different part with the same place is refused:
// two multi-part cards of as many parts are imported one at a time.
func (a *Assembler) Add(c Chunk) (jws string, done bool, err error) {
	if c.Total == 1 {
		return c.Part, true, nil
	}
	if c.Total < 1 || c.Total > maxChunks || c.Index < 1 || c.Index > c.Total {
		return "", false, fmt.Errorf("part %d of %d is out of range", c.Index, c.Total)
	}
	if a.sets == nil {
		a.sets = map[int][]string{}
	}
	set := a.sets[c.Total]
	if set == nil {
		set = make([]string, c.Total)
		a.sets[c.Total] = set
	}
	if prev := set[c.Index-1]; prev != "" && prev != c.Part {
		return "", false, fmt.Errorf("two different parts %d of %d: import the QR codes of one card at a time", c.Index, c.Total)
	}
	set[c.Index-1] = c.Part
	for _, p := range set {
		if p == "" {
			return "", false, nil
		}
	}
	delete(a.sets, c.Total)
	return strings.Join(set, ""), true, nil
}

// Missing describes the parts still awaited, e.g. "part 2 of 3"; empty when
// none.
func (a *Assembler) Missing() []string {
	var out []string
	for total, set := range a.sets {
		for i, p := range set {
			if p == "" {
				out = append(out, fmt.Sprintf("part %d of %d", i+1, total))
			}
		}
	}
	sort.Strings(out)
	return out
}
