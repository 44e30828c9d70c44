package wallet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// pdfInfo is what a PDF says about itself: its Info dictionary's Title and
// CreationDate, or the same from its XMP metadata.
type pdfInfo struct {
	Title   string
	Created time.Time
}

// The PDF metadata reader looks only at the first and last pdfInfoWindow
// bytes of a file (where the trailer, the Info dictionary and usually the
// XMP packet are), and follows a classic cross-reference table when the
// Info dictionary sits elsewhere. It never reads a whole file: a 200 MB scan
// costs at most a few hundred kilobytes. Info dictionaries inside compressed
// object streams (PDF 1.5+) are not read; the file's name and date are used
// then.
const (
	pdfInfoWindow  = 256 << 10
	pdfMaxDict     = 64 << 10
	pdfMaxTitle    = 200 // runes
	pdfMaxXrefRows = 1 << 20
)

var errNoPDFInfo = errors.New("the PDF has no readable title or date")

// readPDFInfoFile reads the metadata of the PDF at path.
func readPDFInfoFile(path string) (pdfInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return pdfInfo{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return pdfInfo{}, err
	}
	return readPDFInfo(f, st.Size())
}

// readPDFInfo reads a PDF's metadata from r, size bytes long.
func readPDFInfo(r io.ReaderAt, size int64) (pdfInfo, error) {
	head, err := readWindow(r, 0, min(size, pdfInfoWindow))
	if err != nil {
		return pdfInfo{}, err
	}
	tailStart := max(0, size-pdfInfoWindow)
	tail := head
	if tailStart > 0 {
		if tail, err = readWindow(r, tailStart, size-tailStart); err != nil {
			return pdfInfo{}, err
		}
	}
	var info pdfInfo
	if dict := findInfoDict(r, size, head, tail, tailStart); dict != nil {
		info.Title = pdfDictString(dict, "Title")
		if d := pdfDictString(dict, "CreationDate"); d != "" {
			info.Created, _ = parsePDFDate(d)
		}
	}
	if info.Title == "" || info.Created.IsZero() {
		for _, win := range [][]byte{tail, head} {
			x := readXMP(win)
			if info.Title == "" {
				info.Title = x.Title
			}
			if info.Created.IsZero() {
				info.Created = x.Created
			}
		}
	}
	info.Title = cleanTitle(info.Title)
	if info.Title == "" && info.Created.IsZero() {
		return info, errNoPDFInfo
	}
	return info, nil
}

func readWindow(r io.ReaderAt, off, n int64) ([]byte, error) {
	buf := make([]byte, n)
	got, err := r.ReadAt(buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("reading the PDF: %w", err)
	}
	return buf[:got], nil
}

var (
	pdfInfoRef   = regexp.MustCompile(`/Info\s*([0-9]{1,10})\s+([0-9]{1,5})\s+R`)
	pdfStartXref = regexp.MustCompile(`startxref\s+([0-9]{1,15})`)
)

// findInfoDict returns the Info dictionary's bytes (from "<<"), or nil.
func findInfoDict(r io.ReaderAt, size int64, head, tail []byte, tailStart int64) []byte {
	var num, gen string
	for _, win := range [][]byte{tail, head} {
		if m := lastSubmatch(pdfInfoRef, win); m != nil {
			num, gen = string(m[1]), string(m[2])
			break
		}
	}
	if num == "" {
		return nil
	}
	objHeader := regexp.MustCompile(`(?:^|[^0-9])` + num + `\s+` + gen + `\s+obj`)
	for _, win := range [][]byte{tail, head} {
		if loc := lastIndex(objHeader, win); loc >= 0 {
			if d := dictAt(win[loc:]); d != nil {
				return d
			}
		}
	}
	// Elsewhere in the file: ask the classic cross-reference table.
	m := lastSubmatch(pdfStartXref, tail)
	if m == nil {
		return nil
	}
	xrefOff, err1 := strconv.ParseInt(string(m[1]), 10, 64)
	objNum, err2 := strconv.ParseInt(num, 10, 64)
	if err1 != nil || err2 != nil || xrefOff <= 0 || xrefOff >= size {
		return nil
	}
	off, ok := xrefOffset(r, xrefOff, objNum)
	if !ok || off < 0 || off >= size {
		return nil
	}
	win, err := readWindow(r, off, min(size-off, pdfMaxDict))
	if err != nil {
		return nil
	}
	if loc := objHeader.FindIndex(win); loc != nil && loc[0] < 32 {
		return dictAt(win[loc[0]:])
	}
	return nil
}

// xrefOffset finds object num's offset in the classic xref table at off.
func xrefOffset(r io.ReaderAt, off, num int64) (int64, bool) {
	buf := make([]byte, 64)
	n, _ := r.ReadAt(buf, off)
	buf = buf[:n]
	if !bytes.HasPrefix(buf, []byte("xref")) {
		return 0, false // an xref stream: not followed
	}
	pos := off + 4
	for rows := 0; rows < pdfMaxXrefRows; {
		line := make([]byte, 48)
		n, _ := r.ReadAt(line, pos)
		line = line[:n]
		trimmed := bytes.TrimLeft(line, " \r\n\t")
		pos += int64(len(line) - len(trimmed))
		var first, count int64
		var headerLen int
		fields := bytes.Fields(trimmed)
		if len(fields) < 2 {
			return 0, false
		}
		var err error
		if first, err = strconv.ParseInt(string(fields[0]), 10, 64); err != nil {
			return 0, false // "trailer" or junk: not in the table
		}
		if count, err = strconv.ParseInt(string(fields[1]), 10, 64); err != nil || count < 0 || count > pdfMaxXrefRows {
			return 0, false
		}
		idx := bytes.Index(trimmed, fields[1])
		headerLen = idx + len(fields[1])
		pos += int64(headerLen)
		// Entries are 20 bytes each after the end of the header line.
		eol := make([]byte, 2)
		n, _ = r.ReadAt(eol, pos)
		for i := 0; i < n && (eol[i] == '\r' || eol[i] == '\n' || eol[i] == ' '); i++ {
			pos++
		}
		if num >= first && num < first+count {
			entry := make([]byte, 20)
			if n, _ := r.ReadAt(entry, pos+(num-first)*20); n < 18 {
				return 0, false
			}
			if entry[17] != 'n' {
				return 0, false
			}
			v, err := strconv.ParseInt(string(bytes.TrimSpace(entry[:10])), 10, 64)
			return v, err == nil
		}
		pos += count * 20
		rows += int(count) + 1
	}
	return 0, false
}

func lastSubmatch(re *regexp.Regexp, b []byte) [][]byte {
	all := re.FindAllSubmatch(b, -1)
	if len(all) == 0 {
		return nil
	}
	return all[len(all)-1]
}

func lastIndex(re *regexp.Regexp, b []byte) int {
	all := re.FindAllIndex(b, -1)
	if len(all) == 0 {
		return -1
	}
	return all[len(all)-1][0]
}

// dictAt returns the dictionary that starts after "obj" in b, up to its
// matching ">>", or nil when it does not close within pdfMaxDict bytes.
func dictAt(b []byte) []byte {
	start := bytes.Index(b, []byte("<<"))
	if start < 0 || start > 64 {
		return nil
	}
	b = b[start:min(len(b), start+pdfMaxDict)]
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '(':
			i = skipLiteral(b, i)
		case '<':
			if i+1 < len(b) && b[i+1] == '<' {
				depth++
				i++
			}
		case '>':
			if i+1 < len(b) && b[i+1] == '>' {
				depth--
				i++
				if depth == 0 {
					return b[:i+1]
				}
			}
		}
	}
	return nil
}

// skipLiteral returns the index of the ")" closing the literal string that
// opens at b[i], or len(b).
func skipLiteral(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return len(b)
}

// pdfDictString returns the text of a direct string value /key (…) or
// /key <hex> at the dictionary's top level; "" when absent or indirect.
func pdfDictString(dict []byte, key string) string {
	name := []byte("/" + key)
	depth := 0
	for i := 0; i < len(dict); i++ {
		switch {
		case dict[i] == '(':
			i = skipLiteral(dict, i)
		case bytes.HasPrefix(dict[i:], []byte("<<")):
			depth++
			i++
		case bytes.HasPrefix(dict[i:], []byte(">>")):
			depth--
			i++
		case depth == 1 && bytes.HasPrefix(dict[i:], name):
			rest := dict[i+len(name):]
			if len(rest) > 0 && isPDFRegular(rest[0]) {
				continue // a longer name, e.g. /TitleX
			}
			rest = bytes.TrimLeft(rest, " \t\r\n\f\x00")
			switch {
			case len(rest) > 0 && rest[0] == '(':
				end := skipLiteral(rest, 0)
				if end >= len(rest) {
					return ""
				}
				return decodePDFText(unescapeLiteral(rest[1:end]))
			case len(rest) > 0 && rest[0] == '<':
				end := bytes.IndexByte(rest, '>')
				if end < 0 {
					return ""
				}
				return decodePDFText(unhexPDF(rest[1:end]))
			}
			return ""
		}
	}
	return ""
}

// isPDFRegular reports a byte that continues a PDF name.
func isPDFRegular(c byte) bool {
	return !bytes.ContainsRune([]byte(" \t\r\n\f\x00()<>[]{}/%"), rune(c))
}

// unescapeLiteral decodes a PDF literal string's escapes.
func unescapeLiteral(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' || i+1 >= len(b) {
			out = append(out, c)
			continue
		}
		i++
		switch e := b[i]; e {
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case '\r':
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		case '\n':
		default:
			if e >= '0' && e <= '7' {
				v := 0
				j := i
				for ; j < len(b) && j < i+3 && b[j] >= '0' && b[j] <= '7'; j++ {
					v = v*8 + int(b[j]-'0')
				}
				out = append(out, byte(v))
				i = j - 1
			} else {
				out = append(out, e)
			}
		}
	}
	return out
}

func unhexPDF(b []byte) []byte {
	var out []byte
	var hi byte
	half := false
	for _, c := range b {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return out
}

// decodePDFText decodes a PDF text string: UTF-16BE with its BOM, UTF-8
// with its BOM, else PDFDocEncoding (read as Latin-1, which it matches for
// letters).
func decodePDFText(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte{0xfe, 0xff}):
		b = b[2:]
		u := make([]uint16, 0, len(b)/2)
		for i := 0; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])<<8|uint16(b[i+1]))
		}
		return string(utf16.Decode(u))
	case bytes.HasPrefix(b, []byte{0xef, 0xbb, 0xbf}):
		return strings.ToValidUTF8(string(b[3:]), "")
	}
	runes := make([]rune, len(b))
	for i, c := range b {
		runes[i] = rune(c)
	}
	return string(runes)
}

// parsePDFDate parses D:YYYYMMDDHHmmSSOHH'mm' and its shorter forms.
func parsePDFDate(s string) (time.Time, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "D:")
	digits := 0
	for digits < len(s) && digits < 14 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits < 4 || digits%2 != 0 {
		return time.Time{}, fmt.Errorf("not a PDF date: %q", s)
	}
	num := func(from, to, def int) int {
		if digits < to {
			return def
		}
		v, _ := strconv.Atoi(s[from:to])
		return v
	}
	year, month, day := num(0, 4, 0), num(4, 6, 1), num(6, 8, 1)
	hour, minute, sec := num(8, 10, 0), num(10, 12, 0), num(12, 14, 0)
	if month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || sec > 60 || year < 1900 {
		return time.Time{}, fmt.Errorf("not a PDF date: %q", s)
	}
	loc := time.UTC
	if rest := s[digits:]; len(rest) >= 3 && (rest[0] == '+' || rest[0] == '-') {
		oh, err1 := strconv.Atoi(rest[1:3])
		om := 0
		var err2 error
		if mm := strings.TrimLeft(rest[3:], "'"); len(mm) >= 2 {
			om, err2 = strconv.Atoi(mm[:2])
		}
		if err1 == nil && err2 == nil && oh <= 14 && om < 60 {
			off := oh*3600 + om*60
			if rest[0] == '-' {
				off = -off
			}
			loc = time.FixedZone("", off)
		}
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, loc), nil
}

var (
	xmpCreate = regexp.MustCompile(`(?s)<xmp:CreateDate>\s*([^<]{4,40})</xmp:CreateDate>|xmp:CreateDate="([^"]{4,40})"`)
	xmpTitle  = regexp.MustCompile(`(?s)<dc:title>.{0,1000}?<rdf:li[^>]{0,200}>([^<]{1,1000})</rdf:li>`)
)

// readXMP reads the title and creation date of an XMP packet in win.
func readXMP(win []byte) pdfInfo {
	var info pdfInfo
	if m := xmpTitle.FindSubmatch(win); m != nil {
		info.Title = xmlUnescape(string(m[1]))
	}
	if m := xmpCreate.FindSubmatch(win); m != nil {
		v := string(m[1]) + string(m[2])
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04Z07:00", "2006-01-02T15:04", time.DateOnly, "2006-01", "2006"} {
			if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
				info.Created = t
				break
			}
		}
	}
	return info
}

var xmlEntities = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&apos;", "'", "&amp;", "&")

func xmlUnescape(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	return xmlEntities.Replace(s)
}

// cleanTitle drops control characters and placeholder titles, and bounds
// the length.
func cleanTitle(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	switch strings.ToLower(s) {
	case "untitled", "title", "document", "none", "-":
		return ""
	}
	if r := []rune(s); len(r) > pdfMaxTitle {
		s = string(r[:pdfMaxTitle])
	}
	return s
}
