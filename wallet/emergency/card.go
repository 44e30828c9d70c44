package emergency

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"healthwallet/wallet/qrcode"
)

// The printed card: a wallet-size card (ISO/IEC 7810 ID-1, 85.6 × 54 mm)
// as a PNG at 300 dpi, and a PDF page (A4 or Letter) with the same card to
// cut out above the page version in large type. Both carry the QR of the
// link (level M, whole pixels per module, quiet zone: package qrcode) and
// how to open it; no photo.

// Printed is what goes on paper: the card's face, its link and expiry.
type Printed struct {
	Face    Face
	Link    string
	Expires time.Time
}

// HowToOpen is the instruction printed by the QR.
const HowToOpen = "Scan with a phone camera, or open the link in Health Wallet"

// CardWidthMM and CardHeightMM are the ID-1 card size.
const (
	CardWidthMM  = 85.6
	CardHeightMM = 54.0
	pngDPI       = 300
)

func mmToPx(mm float64) int { return int(mm / 25.4 * pngDPI) }

// RenderPNG draws the wallet-size card at 300 dpi.
func RenderPNG(p Printed) ([]byte, error) {
	if p.Link == "" {
		return nil, fmt.Errorf("emergency: no link to print")
	}
	w, h := mmToPx(CardWidthMM), mmToPx(CardHeightMM)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	red := color.RGBA{0xb0, 0x10, 0x10, 0xff}
	// A red band: an emergency card is found by its look.
	draw.Draw(img, image.Rect(0, 0, w, 70), &image.Uniform{red}, image.Point{}, draw.Src)

	// The QR on the right: the largest whole number of pixels per module
	// that fits the card's height below the band.
	qrBox := h - 70 - 60
	modules := qrModules(p.Link)
	ppm := max(1, qrBox/modules)
	qr, err := qrcode.Image(p.Link, ppm, color.Black, color.White)
	if err != nil {
		return nil, fmt.Errorf("emergency: drawing the QR: %w", err)
	}
	qx, qy := w-qr.Bounds().Dx()-20, 80
	draw.Draw(img, qr.Bounds().Add(image.Pt(qx, qy)), qr, image.Point{}, draw.Src)

	regular, bold, err := faces()
	if err != nil {
		return nil, err
	}
	t := &textDrawer{img: img}
	t.draw(bold(40), color.White, 24, 52, "EMERGENCY CARD")
	left := qx - 24 - 24
	y := 120
	y = t.line(bold(38), color.Black, 24, y, left, p.Face.Name) + 6
	if p.Face.BirthDate != "" {
		y = t.line(regular(26), color.Black, 24, y, left, "Born "+p.Face.BirthDate)
	}
	y = t.line(bold(40), red, 24, y+12, left, "Blood type: "+p.Face.BloodType) + 8
	for _, l := range []struct {
		label string
		items []string
	}{{"Allergies", p.Face.Allergies}, {"Medications", p.Face.Medications}, {"Problems", p.Face.Problems}} {
		y = t.line(bold(24), color.Black, 24, y, left, l.label+": "+listText(l.items, 3))
	}
	if len(p.Face.Contacts) > 0 { // the first contact; the page and the link hold them all
		c := p.Face.Contacts[0]
		y = t.line(bold(24), color.Black, 24, y+6, left, fmt.Sprintf("Call %s (%s)", c.Name, c.Relation))
		t.line(bold(30), color.Black, 24, y+4, left, c.Phone)
	}
	t.line(regular(20), color.Black, 24, h-24, w-48, HowToOpen)
	var out bytes.Buffer
	if err := png.Encode(&out, img); err != nil {
		return nil, fmt.Errorf("emergency: encoding the card: %w", err)
	}
	return out.Bytes(), nil
}

// listText is up to n items, then how many more.
func listText(items []string, n int) string {
	if len(items) == 0 {
		return "none known"
	}
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return strings.Join(items[:n], "; ") + fmt.Sprintf(" (+%d more)", len(items)-n)
}

// qrModules is the QR's side in modules, quiet zone included.
func qrModules(link string) int {
	img, err := qrcode.Image(link, 1, color.Black, color.White)
	if err != nil {
		return 1
	}
	return img.Bounds().Dx()
}

// faces loads the Go fonts (bundled with golang.org/x/image: nothing to
// install) at a size in pixels.
func faces() (regular, bold func(px float64) font.Face, err error) {
	r, err := opentype.Parse(goregular.TTF)
	if err != nil {
		return nil, nil, fmt.Errorf("emergency: loading the font: %w", err)
	}
	b, err := opentype.Parse(gobold.TTF)
	if err != nil {
		return nil, nil, fmt.Errorf("emergency: loading the font: %w", err)
	}
	at := func(f *opentype.Font) func(float64) font.Face {
		return func(px float64) font.Face {
			face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: px, DPI: 72, Hinting: font.HintingFull})
			if err != nil {
				return basicfont.Face7x13 // only for a size out of range, which the callers never ask
			}
			return face
		}
	}
	return at(r), at(b), nil
}

type textDrawer struct{ img *image.RGBA }

func (t *textDrawer) draw(face font.Face, c color.Color, x, y int, s string) {
	d := font.Drawer{Dst: t.img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// line draws s at baseline y, cut with "…" to width, and returns the next
// line's baseline.
func (t *textDrawer) line(face font.Face, c color.Color, x, y, width int, s string) int {
	for font.MeasureString(face, s).Ceil() > width && len([]rune(s)) > 1 {
		r := []rune(strings.TrimSuffix(s, "…"))
		s = string(r[:len(r)-1]) + "…"
	}
	t.draw(face, c, x, y, s)
	return y + face.Metrics().Height.Ceil() + 4
}

// PaperA4 and PaperLetter are the PDF's page sizes.
const (
	PaperA4     = "A4"
	PaperLetter = "Letter"
)

// RenderPDF makes the printable page: the wallet-size card to cut out,
// then the summary in large type with a large QR.
func RenderPDF(p Printed, paper string) ([]byte, error) {
	if p.Link == "" {
		return nil, fmt.Errorf("emergency: no link to print")
	}
	if paper == "" {
		paper = PaperA4
	}
	if paper != PaperA4 && paper != PaperLetter {
		return nil, fmt.Errorf("emergency: paper %q: use A4 or Letter", paper)
	}
	pdf := fpdf.New("P", "mm", paper, "")
	pdf.SetTitle("Emergency card", true)
	pdf.SetCreator("Health Wallet", true)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(15, 15, 15)
	pdf.SetAutoPageBreak(false, 10)
	pdf.AddPage()

	// The QR image: 10 pixels per module, placed at a whole multiple of
	// the module size so it prints crisp.
	qr, err := qrcode.PNG(p.Link, 10)
	if err != nil {
		return nil, fmt.Errorf("emergency: drawing the QR: %w", err)
	}
	pdf.RegisterImageOptionsReader("qr", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(qr))
	modules := float64(qrModules(p.Link))

	// The card, with a dashed cut line.
	x0, y0 := 15.0, 15.0
	pdf.SetDrawColor(120, 120, 120)
	pdf.SetDashPattern([]float64{2, 1.5}, 0)
	pdf.RoundedRect(x0, y0, CardWidthMM, CardHeightMM, 3, "1234", "D")
	pdf.SetDashPattern(nil, 0)
	pdf.SetFillColor(176, 16, 16)
	pdf.Rect(x0, y0, CardWidthMM, 7, "F")
	pdf.SetTextColor(255, 255, 255)
	pdf.SetFont("go", "B", 11)
	pdf.Text(x0+3, y0+5.2, "EMERGENCY CARD")
	cardQR := min(modules*0.5, 36) // 0.5 mm per module, as large as the card allows
	pdf.ImageOptions("qr", x0+CardWidthMM-cardQR-2, y0+8, cardQR, cardQR, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetTextColor(0, 0, 0)
	textW := CardWidthMM - cardQR - 7
	pdf.SetXY(x0+3, y0+9)
	pdf.SetFont("go", "B", 11)
	pdf.CellFormat(textW, 5, fit(pdf, p.Face.Name, textW), "", 2, "L", false, 0, "")
	pdf.SetFont("go", "", 7.5)
	if p.Face.BirthDate != "" {
		pdf.CellFormat(textW, 3.5, "Born "+p.Face.BirthDate, "", 2, "L", false, 0, "")
	}
	pdf.SetFont("go", "B", 11)
	pdf.SetTextColor(176, 16, 16)
	pdf.CellFormat(textW, 6, "Blood type: "+p.Face.BloodType, "", 2, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont("go", "", 7)
	for _, l := range []struct {
		label string
		items []string
	}{{"Allergies", p.Face.Allergies}, {"Medications", p.Face.Medications}, {"Problems", p.Face.Problems}} {
		pdf.CellFormat(textW, 3.4, fit(pdf, l.label+": "+listText(l.items, 2), textW), "", 2, "L", false, 0, "")
	}
	if len(p.Face.Contacts) > 0 { // the first contact; the page and the link hold them all
		c := p.Face.Contacts[0]
		pdf.SetFont("go", "B", 7)
		pdf.CellFormat(textW, 3.6, fit(pdf, fmt.Sprintf("Call %s (%s)", c.Name, c.Relation), textW), "", 2, "L", false, 0, "")
		pdf.SetFont("go", "B", 8.5)
		pdf.CellFormat(textW, 4, c.Phone, "", 2, "L", false, 0, "")
	}
	pdf.SetFont("go", "", 6)
	pdf.Text(x0+3, y0+CardHeightMM-2.5, HowToOpen)
	pdf.SetFont("go", "", 8)
	pdf.SetTextColor(100, 100, 100)
	pdf.Text(x0+CardWidthMM+5, y0+5, "Cut along the dashed line and keep it with your ID.")

	// The page: the essentials in large type, a large QR.
	pageW, _ := pdf.GetPageSize()
	y := y0 + CardHeightMM + 15
	pdf.SetTextColor(0, 0, 0)
	pdf.SetXY(15, y)
	pdf.SetFont("go", "B", 26)
	pdf.CellFormat(pageW-30, 12, "Emergency information", "", 2, "L", false, 0, "")
	pdf.SetFont("go", "B", 20)
	pdf.CellFormat(pageW-30, 10, p.Face.Name, "", 2, "L", false, 0, "")
	pdf.SetFont("go", "", 14)
	if p.Face.BirthDate != "" {
		pdf.CellFormat(pageW-30, 7, "Born "+p.Face.BirthDate, "", 2, "L", false, 0, "")
	}
	pdf.SetFont("go", "B", 22)
	pdf.SetTextColor(176, 16, 16)
	pdf.CellFormat(pageW-30, 12, "Blood type: "+p.Face.BloodType, "", 2, "L", false, 0, "")
	pdf.SetTextColor(0, 0, 0)
	bigQR := min(modules*1.0, 75) // 1 mm per module
	textW = pageW - 30 - bigQR - 5
	qrY := pdf.GetY()
	pdf.ImageOptions("qr", pageW-15-bigQR, qrY, bigQR, bigQR, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	section := func(label string, lines []string) {
		pdf.SetFont("go", "B", 15)
		pdf.CellFormat(textW, 8, label, "", 2, "L", false, 0, "")
		pdf.SetFont("go", "", 13)
		if len(lines) == 0 {
			lines = []string{"none known"}
		}
		for i, l := range lines {
			if i == 8 {
				pdf.CellFormat(textW, 6, fmt.Sprintf("(+%d more: scan the code)", len(lines)-8), "", 2, "L", false, 0, "")
				break
			}
			pdf.MultiCell(textW, 6, "• "+l, "", "L", false)
		}
	}
	section("Allergies", p.Face.Allergies)
	section("Medications", p.Face.Medications)
	section("Problems", p.Face.Problems)
	var contacts []string
	for _, c := range p.Face.Contacts {
		contacts = append(contacts, fmt.Sprintf("%s (%s): %s", c.Name, c.Relation, c.Phone))
	}
	section("Call", contacts)
	if p.Face.OrganDonor != "" {
		section("Organ donor", []string{p.Face.OrganDonor})
	}
	if p.Face.Notes != "" {
		section("Notes", []string{p.Face.Notes})
	}
	pdf.SetXY(pageW-15-bigQR, qrY+bigQR+2)
	pdf.SetFont("go", "", 10)
	pdf.MultiCell(bigQR, 5, HowToOpen+".", "", "C", false)
	if !p.Expires.IsZero() {
		pdf.SetX(pageW - 15 - bigQR)
		pdf.MultiCell(bigQR, 5, "The code works until "+p.Expires.UTC().Format("2 January 2006")+".", "", "C", false)
	}
	var out bytes.Buffer
	if err := pdf.Output(&out); err != nil {
		return nil, fmt.Errorf("emergency: making the PDF: %w", err)
	}
	return out.Bytes(), nil
}

// fit cuts s with "…" to width mm in the current font.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	for pdf.GetStringWidth(s) > width && len([]rune(s)) > 1 {
		r := []rune(strings.TrimSuffix(s, "…"))
		s = string(r[:len(r)-1]) + "…"
	}
	return s
}
