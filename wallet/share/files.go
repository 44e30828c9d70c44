package share

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
)

// How a share's content is cut into files that every SMART Health Links
// viewer opens.
//
// Other SHL viewers decrypt files with the jose library, which by default
// refuses a compressed (zip "DEF") file whose plaintext inflates beyond
// 250 000 bytes (jose 6.x: maxDecompressedLength defaults to 250e3, and it
// refuses a length greater than that). So a share's files are made to stay
// under that limit:
//
//   - the records go into several FHIR collection Bundles ([SplitBundles]),
//     consecutive records in order, each file at most [MaxInflatedFile]
//     bytes; a record is never cut, so one record larger than that is a file
//     of its own;
//   - [EncryptFile] compresses a plaintext of at most [MaxInflatedFile]
//     bytes and sends a larger one (that lone record, a FHIR document, a
//     large proof file) uncompressed: jose puts no limit on those.
//
// The proof file stays one file, whatever its size: a receiver takes a
// share with more than one proof file as tampered with (see [Verify]), so a
// large proof is sent uncompressed rather than split. The proof's records
// (RecordProof.Index) number the entries of all the FHIR files together,
// in file order; a receiver matches records by content, not by position, so
// what decides coverage is unchanged: a file a relay repeats shows its
// records as second copies, a file it drops as records not received, and a
// relay that reorders the files changes only the order records are shown in.
const (
	// JoseMaxInflated is jose's default limit on a compressed file's
	// plaintext, in bytes: it refuses a longer one.
	JoseMaxInflated = 250_000
	// MaxInflatedFile is the largest plaintext [EncryptFile] compresses and
	// the size [SplitBundles] fills a file up to: 10 kB under jose's limit,
	// a margin for viewers that count a little differently.
	MaxInflatedFile = 240_000
	// MaxShareFiles is the most files a share is cut into, its proof file
	// included: a relay's default limit on the files of one share
	// (wallet/relay Limits.MaxFiles).
	MaxShareFiles = 32
)

// Parts of a collection Bundle as [BundleJSON] writes it.
const (
	collectionHead = `{"resourceType":"Bundle","type":"collection","entry":[`
	entryHead      = `{"resource":`
	entryTail      = `}`
	bundleTail     = `]}`
)

// SplitBundles writes resources (compact JSON, in order) as the FHIR files
// of a share: collection Bundles of consecutive resources, each at most
// [MaxInflatedFile] bytes unless it holds a single larger resource, and at
// most maxFiles of them. When more files than that would be needed (a share
// of many megabytes), files are filled beyond the limit instead and are then
// sent uncompressed (see [EncryptFile]). A document (doc not nil) is one
// Bundle whatever its size: its Composition speaks for all its entries, so
// it is never cut.
func SplitBundles(doc *DocumentBundle, resources [][]byte, maxFiles int) ([][]byte, error) {
	if doc != nil || len(resources) == 0 {
		b, err := BundleJSON(doc, resources)
		if err != nil {
			return nil, err
		}
		return [][]byte{b}, nil
	}
	if maxFiles < 1 {
		return nil, fmt.Errorf("share: at most %d files for the records: want at least one", maxFiles)
	}
	target := MaxInflatedFile
	groups := packBundles(resources, target)
	for len(groups) > maxFiles {
		target += target / 2
		groups = packBundles(resources, target)
	}
	out := make([][]byte, len(groups))
	for i, g := range groups {
		b, err := BundleJSON(nil, resources[g[0]:g[1]])
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

// packBundles groups consecutive resources into collection Bundles of at
// most target bytes each (a single resource larger than that alone), and
// returns each group's [start, end) range.
func packBundles(resources [][]byte, target int) [][2]int {
	empty := len(collectionHead) + len(bundleTail)
	var groups [][2]int
	start, size := 0, empty
	for i, r := range resources {
		entry := len(entryHead) + len(r) + len(entryTail)
		if i > start {
			if size+1+entry > target {
				groups = append(groups, [2]int{start, i})
				start, size = i, empty
			} else {
				entry++ // the comma before it
			}
		}
		size += entry
	}
	return append(groups, [2]int{start, len(resources)})
}

// EncryptFiles encrypts the files of a share or care copy with the link's
// key: the FHIR Bundles, in order, then the proof file (of content type
// proofType), which stays one file.
func EncryptFiles(key [32]byte, bundles [][]byte, proofType string, proof []byte) ([]EncryptedFile, error) {
	files := make([]EncryptedFile, 0, len(bundles)+1)
	for i, b := range bundles {
		jwe, err := EncryptFile(b, key[:], ContentTypeFHIR)
		if err != nil {
			return nil, fmt.Errorf("share: FHIR file %d: %w", i, err)
		}
		files = append(files, EncryptedFile{ContentType: ContentTypeFHIR, JWE: jwe})
	}
	jwe, err := EncryptFile(proof, key[:], proofType)
	if err != nil {
		return nil, fmt.Errorf("share: the proof file: %w", err)
	}
	return append(files, EncryptedFile{ContentType: proofType, JWE: jwe}), nil
}

// Records that carry a file (SharedRecord.Attachment). One whose file makes
// it larger than [MaxInflatedFile] is sent alone in a file of its own, so
// the 240 kB rule still holds for every other file; to keep the share within
// [MaxShareFiles] whatever the order of the records chosen, those records
// go last, each in its file, and the rest keep their order in the Bundles
// before them.

// largeAttachment reports whether a record's file makes it larger than
// MaxInflatedFile once in base64.
func largeAttachment(r SharedRecord) bool {
	if r.Attachment == nil {
		return false
	}
	size := attachmentSize(r.Resource)
	return len(r.Resource)+base64.StdEncoding.EncodedLen(int(min(size, MaxAttachmentSize+1)))+len(collectionHead)+
		len(entryHead)+len(entryTail)+len(bundleTail) > MaxInflatedFile
}

// attachmentSize is the size the record gives its kept file (0 when it
// gives none, which withAttachmentData refuses).
func attachmentSize(resource []byte) int64 {
	m, err := decodeObject(resource)
	if err != nil {
		return 0
	}
	for _, am := range contentAttachments(m) {
		if am == nil {
			continue
		}
		b, _ := json.Marshal(am)
		var a fhirAttachment
		if json.Unmarshal(b, &a) != nil || a.Size == nil {
			continue
		}
		if _, ok := a.sha256Extension(); ok {
			return max(*a.Size, 0)
		}
	}
	return 0
}

// orderForFiles returns the records with those of large files last (the
// rest in their order) and how many of those there are.
func orderForFiles(records []SharedRecord) ([]SharedRecord, int) {
	var rest, large []SharedRecord
	for _, r := range records {
		if largeAttachment(r) {
			large = append(large, r)
		} else {
			rest = append(rest, r)
		}
	}
	return append(rest, large...), len(large)
}

// attached reports whether any record carries a file.
func attached(records []SharedRecord) bool {
	for _, r := range records {
		if r.Attachment != nil {
			return true
		}
	}
	return false
}

// withSmallAttachments returns the resources as sent: compacts, with the
// file of each record that carries one (a small one: see orderForFiles) as
// its attachment's data.
func withSmallAttachments(records []SharedRecord, compacts [][]byte) ([][]byte, error) {
	out := slices.Clone(compacts)
	for i, r := range records {
		if r.Attachment == nil {
			continue
		}
		var b bytes.Buffer
		if err := writeAttached(&b, r, compacts[i]); err != nil {
			return nil, fmt.Errorf("share: record %d (%s): %w", i, describeResource(compacts[i]), err)
		}
		out[i] = b.Bytes()
	}
	return out, nil
}

// smallBundles cuts the resources that share files into Bundles of at most
// maxFiles files (none when there are no resources).
func smallBundles(doc *DocumentBundle, resources [][]byte, maxFiles int) ([][]byte, error) {
	if len(resources) == 0 {
		return nil, nil
	}
	if maxFiles < 1 {
		return nil, fmt.Errorf("share: too many large documents for one share (at most %d files): share them in several shares", MaxShareFiles)
	}
	b, err := BundleJSON(doc, resources)
	if err != nil {
		return nil, err
	}
	if len(b) <= MaxInflatedFile {
		return [][]byte{b}, nil
	}
	return SplitBundles(doc, resources, maxFiles)
}

// writeAttached writes the record's resource with its file as data.
func writeAttached(out *bytes.Buffer, r SharedRecord, compact []byte) error {
	f, err := r.Attachment()
	if err != nil {
		return fmt.Errorf("opening its file: %w", err)
	}
	defer f.Close()
	return withAttachmentData(out, compact, f)
}

// encryptAlone makes each record's file (first the one numbered first): a
// collection Bundle of that record alone with its file, encrypted. One
// plaintext is in memory at a time.
func encryptAlone(key [32]byte, records []SharedRecord, compacts [][]byte, first int) ([]EncryptedFile, error) {
	out := make([]EncryptedFile, 0, len(records))
	for i, r := range records {
		var b bytes.Buffer
		b.WriteString(collectionHead + entryHead)
		if err := writeAttached(&b, r, compacts[i]); err != nil {
			return nil, fmt.Errorf("share: record %d (%s): %w", first+i, describeResource(compacts[i]), err)
		}
		b.WriteString(entryTail + bundleTail)
		jwe, err := EncryptFile(b.Bytes(), key[:], ContentTypeFHIR)
		if err != nil {
			return nil, fmt.Errorf("share: record %d (%s): %w", first+i, describeResource(compacts[i]), err)
		}
		out = append(out, EncryptedFile{ContentType: ContentTypeFHIR, JWE: jwe})
	}
	return out, nil
}
