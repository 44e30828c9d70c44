package wallet

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // previews of photos
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
	xdraw "golang.org/x/image/draw"
	_ "golang.org/x/image/tiff" // previews of scans
)

// Bounds on preview work: an image larger than previewMaxPixels is not
// decoded (a 100-megapixel photo would need 400 MB), and a PDF page that
// takes longer than pdfRenderTimeout to draw is given up.
const (
	previewMaxPixels = 80_000_000
	pdfRenderTimeout = 60 * time.Second
)

// previewFile draws the file r (its info says what it is) to fit maxW × maxH.
func previewFile(r io.Reader, info AttachmentInfo, maxW, maxH int) (image.Image, error) {
	ct := strings.ToLower(info.ContentType)
	switch {
	case ct == "image/jpeg" || ct == "image/png" || ct == "image/tiff":
		return previewImage(r, maxW, maxH)
	case ct == "image/heic" || ct == "image/avif":
		return nil, errors.New("HEIC/AVIF photos are kept but the wallet cannot draw them (no decoder that builds everywhere the app runs): save a copy to open it in your photo viewer")
	case ct == "application/pdf":
		rs, ok := r.(io.ReadSeeker)
		if !ok {
			return nil, errors.New("cannot preview this PDF: its file cannot be read out of order")
		}
		return previewPDF(rs, info.Size, maxW, maxH)
	case strings.HasPrefix(ct, "text/"), ct == "application/xml":
		return nil, errors.New("a text document has no picture preview: read it as text, or save a copy")
	}
	return nil, fmt.Errorf("no preview for files of type %q: save a copy to open it", info.ContentType)
}

// previewImage decodes an image (after checking its size) and scales it down.
func previewImage(r io.Reader, maxW, maxH int) (image.Image, error) {
	rs, ok := r.(io.ReadSeeker)
	if ok {
		cfg, _, err := image.DecodeConfig(r)
		if err != nil {
			return nil, fmt.Errorf("cannot show this image, it is damaged or not what its first bytes say (%v): the file is kept as it came; save a copy to try another viewer", err)
		}
		if int64(cfg.Width)*int64(cfg.Height) > previewMaxPixels {
			return nil, fmt.Errorf("this image is too large to preview (%d×%d pixels): save a copy to open it", cfg.Width, cfg.Height)
		}
		if _, err := rs.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("reading the image again: %w", err)
		}
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, fmt.Errorf("cannot show this image, it is damaged (%v): the file is kept as it came; save a copy to try another viewer", err)
	}
	return fit(img, maxW, maxH), nil
}

// fit scales img down (never up) to fit within maxW × maxH, keeping its shape.
func fit(img image.Image, maxW, maxH int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= maxW && h <= maxH {
		return img
	}
	scale := min(float64(maxW)/float64(w), float64(maxH)/float64(h))
	nw, nh := max(1, int(float64(w)*scale)), max(1, int(float64(h)*scale))
	dst := image.NewRGBA(image.Rect(0, 0, nw, nh))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, draw.Src, nil)
	return dst
}

// The PDF renderer is PDFium compiled to WebAssembly and run by wazero: pure
// Go, no cgo, so it builds for desktop and mobile. Compiling the module
// takes some seconds and a few hundred MB the first time; the compiled code
// is cached in the user's cache folder (it holds no data of the user's), so
// later previews start in under a second.
var pdfRenderer struct {
	once sync.Once
	pool pdfium.Pool
	err  error
}

func pdfPool() (pdfium.Pool, error) {
	pdfRenderer.once.Do(func() {
		rc := wazero.NewRuntimeConfig()
		if dir, err := os.UserCacheDir(); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "healthwallet", "pdfium")); err == nil {
				rc = rc.WithCompilationCache(cache)
			}
		}
		rc = rc.WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling).
			WithCloseOnContextDone(true)
		pdfRenderer.pool, pdfRenderer.err = webassembly.Init(webassembly.Config{
			MinIdle: 0, MaxIdle: 1, MaxTotal: 1,
			RuntimeConfig: rc,
			FSConfig:      wazero.NewFSConfig(), // no files of the machine visible to PDFium
			Stdout:        io.Discard, Stderr: io.Discard,
		})
	})
	if pdfRenderer.err != nil {
		return nil, fmt.Errorf("the PDF renderer did not start: %w", pdfRenderer.err)
	}
	return pdfRenderer.pool, nil
}

// previewPDF draws a PDF's first page to fit maxW × maxH. PDFium reads the
// file through r as it needs, never whole.
func previewPDF(r io.ReadSeeker, size int64, maxW, maxH int) (image.Image, error) {
	pool, err := pdfPool()
	if err != nil {
		return nil, err
	}
	inst, err := pool.GetInstance(pdfRenderTimeout)
	if err != nil {
		return nil, fmt.Errorf("the PDF renderer is busy: try again: %w", err)
	}
	type result struct {
		img image.Image
		err error
	}
	done := make(chan result, 1)
	go func() {
		img, err := renderFirstPage(inst, r, size, maxW, maxH)
		done <- result{img, err}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), pdfRenderTimeout)
	defer cancel()
	select {
	case res := <-done:
		inst.Close()
		return res.img, res.err
	case <-ctx.Done():
		inst.Kill()
		return nil, fmt.Errorf("the PDF's first page took over %s to draw: save a copy to open it in a PDF viewer", pdfRenderTimeout)
	}
}

func renderFirstPage(inst pdfium.Pdfium, r io.ReadSeeker, size int64, maxW, maxH int) (image.Image, error) {
	doc, err := inst.OpenDocument(&requests.OpenDocument{FileReader: r, FileReaderSize: size})
	if err != nil {
		return nil, fmt.Errorf("cannot show this PDF, it is damaged or protected (%v): the file is kept as it came; save a copy to try a PDF viewer", err)
	}
	defer inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	out, err := inst.RenderPageInPixels(&requests.RenderPageInPixels{
		Page:  requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: 0}},
		Width: maxW, Height: maxH,
	})
	if err != nil {
		return nil, fmt.Errorf("cannot draw the PDF's first page (%v): save a copy to open it in a PDF viewer", err)
	}
	defer out.Cleanup()
	src := out.Result.RenderedImage
	img := image.NewRGBA(src.Bounds()) // the renderer's buffer is freed by Cleanup
	draw.Draw(img, img.Bounds(), src, src.Bounds().Min, draw.Src)
	return img, nil
}
