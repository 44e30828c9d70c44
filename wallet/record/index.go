package record

import (
	"cmp"
	"container/heap"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// Index holds the summaries of the unlocked wallet's records in memory and
// answers the list, timeline and search questions of the UI and the CLI. It
// is safe for concurrent use.
//
// Each record gets a compact number; the text of its summary is cut into
// lower-case word tokens, and every token keeps a posting list of the
// numbers of the records it occurs in (with the fields it occurs in, for
// ranking). Prefix search walks the sorted token list with a binary search.
// Numbers are never reused while records live: replacing a record gives it
// a new number and leaves the old one dead, and the index compacts itself
// when dead numbers outnumber live ones. Nothing is written anywhere: the
// index dies with the process, as the unlocked vault does.
type Index struct {
	mu   sync.RWMutex
	recs []slot            // by number
	byID map[string]uint32 // record ID → number
	dead int

	postings map[string][]uint32 // token → posting(number<<fieldBits | fields)
	tokens   []string            // sorted keys of postings, for prefix search
	fresh    []string            // tokens not yet merged into tokens

	order      []uint32 // live numbers, newest first (the timeline)
	orderStale bool

	scratch sync.Pool         // *searchScratch
	fields  map[string]uint32 // indexText's per-record scratch, under mu
}

type slot struct {
	rec   Record
	date  int64 // Unix nanoseconds; 0 when undated
	dated bool
	alive bool
}

// Filter selects records for [Index.List]. Zero fields select everything.
type Filter struct {
	Category     string
	ResourceType string
	// From and To bound the record's date, both inclusive; when either is
	// set, undated records are left out.
	From, To time.Time
	// Text keeps only the records that [Index.Search] would find for it.
	Text  string
	Limit int // 0: no limit
	// OnePerson keeps only the records of Person ("" the wallet's owner);
	// without it every person's records are selected.
	OnePerson bool
	Person    string
}

// keeps reports whether f's person and kind fields select rec.
func (f *Filter) keeps(rec *Record) bool {
	return (!f.OnePerson || rec.Person == f.Person) &&
		(f.Category == "" || rec.Category == f.Category) &&
		(f.ResourceType == "" || rec.ResourceType == f.ResourceType)
}

// Where a token occurs in a record, packed in the low bits of a posting.
const (
	fieldTitle = 1 << iota
	fieldCode
	fieldKind // category or resource type
	fieldDetail
	fieldBits = 4
	fieldMask = 1<<fieldBits - 1

	maxTerms = 16 // more query words than this are ignored
)

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{byID: map[string]uint32{}, postings: map[string][]uint32{}}
}

// Put adds rec, replacing any record with the same ID.
func (ix *Index) Put(rec Record) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.putLocked(rec)
}

// PutAll adds many records under one lock, as after unlocking the vault.
func (ix *Index) PutAll(recs []Record) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, r := range recs {
		ix.putLocked(r)
	}
}

func (ix *Index) putLocked(rec Record) {
	if n, ok := ix.byID[rec.ID]; ok {
		ix.kill(n)
	}
	n := uint32(len(ix.recs))
	s := slot{rec: rec, alive: true}
	if !rec.Date.IsZero() {
		s.date, s.dated = rec.Date.UnixNano(), true
	}
	ix.recs = append(ix.recs, s)
	ix.byID[rec.ID] = n
	ix.indexText(n, &ix.recs[n].rec)
	ix.orderStale = true
	ix.maybeCompact()
}

// Remove drops the record with this ID and reports whether it was there.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	n, ok := ix.byID[id]
	if !ok {
		return false
	}
	delete(ix.byID, id)
	ix.kill(n)
	ix.orderStale = true
	ix.maybeCompact()
	return true
}

func (ix *Index) kill(n uint32) {
	ix.recs[n] = slot{} // free the strings now; the postings go at compaction
	ix.dead++
}

// maybeCompact renumbers the live records once the dead ones dominate, so
// posting lists and the record table stay proportional to what is alive.
func (ix *Index) maybeCompact() {
	if ix.dead < 1024 || ix.dead < len(ix.byID) {
		return
	}
	old := ix.recs
	ix.recs = make([]slot, 0, len(ix.byID))
	ix.postings = make(map[string][]uint32, len(ix.postings))
	ix.tokens, ix.fresh = nil, nil
	ix.dead = 0
	for _, s := range old {
		if !s.alive {
			continue
		}
		n := uint32(len(ix.recs))
		ix.recs = append(ix.recs, s)
		ix.byID[s.rec.ID] = n
		ix.indexText(n, &ix.recs[n].rec)
	}
	ix.orderStale = true
}

// indexText adds the postings of record n.
func (ix *Index) indexText(n uint32, r *Record) {
	if ix.fields == nil {
		ix.fields = make(map[string]uint32, 64)
	}
	fields := ix.fields
	clear(fields)
	add := func(text string, f uint32) {
		eachToken(text, func(t string) { fields[t] |= f })
	}
	add(r.Title, fieldTitle)
	for _, c := range r.Codes {
		add(c.Code, fieldCode)
		add(c.Display, fieldCode)
	}
	add(r.Category, fieldKind)
	add(r.ResourceType, fieldKind)
	for _, d := range r.Details {
		add(d, fieldDetail)
	}
	for t, f := range fields {
		p, ok := ix.postings[t]
		if !ok {
			t = strings.Clone(t) // don't pin the record's strings through map keys
			ix.fresh = append(ix.fresh, t)
		}
		ix.postings[t] = append(p, n<<fieldBits|f)
	}
}

// eachToken calls fn with each lower-case word of s: runs of letters and
// digits. "HbA1c 7.2%" gives "hba1c", "7", "2".
func eachToken(s string, fn func(string)) {
	start := -1
	var buf []byte
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := s[start:end]
		start = -1
		if isLowerASCII(w) {
			fn(w)
			return
		}
		buf = buf[:0]
		for _, r := range w {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		}
		fn(string(buf))
	}
	for i, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		flush(i)
	}
	flush(len(s))
}

func isLowerASCII(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// Len is the number of records.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.byID)
}

// Get returns the record with this ID.
func (ix *Index) Get(id string) (Record, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n, ok := ix.byID[id]
	if !ok {
		return Record{}, false
	}
	return ix.recs[n].rec, true
}

// Categories counts the records in each category.
func (ix *Index) Categories() map[string]int {
	return ix.CategoriesIn(Filter{})
}

// CategoriesIn counts the records f's person and kind fields select, by
// category.
func (ix *Index) CategoriesIn(f Filter) map[string]int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := map[string]int{}
	for _, s := range ix.recs {
		if s.alive && f.keeps(&s.rec) {
			out[s.rec.Category]++
		}
	}
	return out
}

// PersonCounts counts the records of each person ("" the owner).
func (ix *Index) PersonCounts() map[string]int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	out := map[string]int{}
	for _, s := range ix.recs {
		if s.alive {
			out[s.rec.Person]++
		}
	}
	return out
}

// rlockFresh takes the read lock with the lazily built parts (the sorted
// token list, and the timeline when asked) up to date.
func (ix *Index) rlockFresh(needOrder bool) {
	for {
		ix.mu.RLock()
		if len(ix.fresh) == 0 && (!needOrder || !ix.orderStale) {
			return
		}
		ix.mu.RUnlock()
		ix.mu.Lock()
		if len(ix.fresh) > 0 {
			slices.Sort(ix.fresh)
			merged := make([]string, 0, len(ix.tokens)+len(ix.fresh))
			i, j := 0, 0
			for i < len(ix.tokens) && j < len(ix.fresh) {
				if ix.tokens[i] < ix.fresh[j] {
					merged = append(merged, ix.tokens[i])
					i++
				} else {
					merged = append(merged, ix.fresh[j])
					j++
				}
			}
			merged = append(merged, ix.tokens[i:]...)
			merged = append(merged, ix.fresh[j:]...)
			ix.tokens, ix.fresh = merged, nil
		}
		if needOrder && ix.orderStale {
			ix.order = ix.order[:0]
			for n, s := range ix.recs {
				if s.alive {
					ix.order = append(ix.order, uint32(n))
				}
			}
			slices.SortFunc(ix.order, func(a, b uint32) int { return ix.timelineCmp(a, b) })
			ix.orderStale = false
		}
		ix.mu.Unlock()
	}
}

// timelineCmp orders newest first, undated last, then by title and ID so
// that the order is stable.
func (ix *Index) timelineCmp(a, b uint32) int {
	sa, sb := &ix.recs[a], &ix.recs[b]
	if sa.dated != sb.dated {
		if sa.dated {
			return -1
		}
		return 1
	}
	if c := cmp.Compare(sb.date, sa.date); c != 0 {
		return c
	}
	if c := strings.Compare(sa.rec.Title, sb.rec.Title); c != 0 {
		return c
	}
	return strings.Compare(sa.rec.ID, sb.rec.ID)
}

// List returns the records f selects, newest first, undated last: the
// timeline. With f.Text set it keeps the timeline order (use [Index.Search]
// for ranked results).
func (ix *Index) List(f Filter) []Record {
	ix.rlockFresh(true)
	defer ix.mu.RUnlock()
	var candidates []uint32
	if strings.TrimSpace(f.Text) != "" {
		hits := ix.match(f.Text)
		if hits == nil {
			return nil
		}
		candidates = hits.nums
		slices.SortFunc(candidates, ix.timelineCmp)
		ix.putScratch(hits.sc)
	} else {
		candidates = ix.order
	}
	from, to := f.From.UnixNano(), f.To.UnixNano()
	var out []Record
	for _, n := range candidates {
		s := &ix.recs[n]
		if !s.alive || !f.keeps(&s.rec) {
			continue
		}
		if !f.From.IsZero() || !f.To.IsZero() {
			if !s.dated || (!f.From.IsZero() && s.date < from) || (!f.To.IsZero() && s.date > to) {
				continue
			}
		}
		out = append(out, s.rec)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out
}

// Search finds the records whose title, details, category, resource type or
// codes (values and displays) contain every word of text as the start of a
// word, ignoring case: "metf" finds Metformin, "44054006" a diabetes
// Condition, "blood press" a blood pressure. Results are ranked: words in the
// title count most, then codes, then category and type, then details; a whole
// word counts more than a prefix; ties go to the newer record. limit ≤ 0
// returns every match. Text without any word returns the timeline.
func (ix *Index) Search(text string, limit int) []Record {
	return ix.SearchIn(Filter{}, text, limit)
}

// SearchIn is Search over the records f's person, category and resource
// type select (f's dates, Text and Limit are not used).
func (ix *Index) SearchIn(f Filter, text string, limit int) []Record {
	if len(queryTerms(text)) == 0 {
		return ix.List(Filter{Limit: limit, OnePerson: f.OnePerson, Person: f.Person,
			Category: f.Category, ResourceType: f.ResourceType})
	}
	ix.rlockFresh(false)
	defer ix.mu.RUnlock()
	hits := ix.match(text)
	if hits == nil {
		return nil
	}
	defer ix.putScratch(hits.sc)
	if f.OnePerson || f.Category != "" || f.ResourceType != "" {
		kept := hits.nums[:0]
		for _, n := range hits.nums {
			if f.keeps(&ix.recs[n].rec) {
				kept = append(kept, n)
			}
		}
		hits.nums = kept
	}
	better := func(a, b uint32) bool { // a ranks above b
		sa, sb := hits.sc.score[a], hits.sc.score[b]
		if sa != sb {
			return sa > sb
		}
		return ix.timelineCmp(a, b) < 0
	}
	nums := hits.nums
	if limit > 0 && len(nums) > limit {
		// Keep the best limit in a min-heap: O(n log limit), not a full sort.
		h := &rankHeap{better: better}
		for _, n := range nums {
			if h.Len() < limit {
				heap.Push(h, n)
			} else if better(n, h.nums[0]) {
				h.nums[0] = n
				heap.Fix(h, 0)
			}
		}
		nums = h.nums
	}
	slices.SortFunc(nums, func(a, b uint32) int {
		switch {
		case better(a, b):
			return -1
		case better(b, a):
			return 1
		}
		return 0
	})
	out := make([]Record, len(nums))
	for i, n := range nums {
		out[i] = ix.recs[n].rec
	}
	return out
}

type rankHeap struct {
	nums   []uint32
	better func(a, b uint32) bool
}

func (h *rankHeap) Len() int           { return len(h.nums) }
func (h *rankHeap) Less(i, j int) bool { return h.better(h.nums[j], h.nums[i]) } // worst on top
func (h *rankHeap) Swap(i, j int)      { h.nums[i], h.nums[j] = h.nums[j], h.nums[i] }
func (h *rankHeap) Push(x any)         { h.nums = append(h.nums, x.(uint32)) }
func (h *rankHeap) Pop() any {
	x := h.nums[len(h.nums)-1]
	h.nums = h.nums[:len(h.nums)-1]
	return x
}

// searchScratch holds per-record counters for one search; it is pooled, and
// only the entries a search touched are cleared afterwards.
type searchScratch struct {
	matched []uint8  // how many query terms the record has matched so far
	score   []uint32 // ranking score
	touched []uint32
}

type matchResult struct {
	nums []uint32 // live records matching every term, unordered
	sc   *searchScratch
}

func queryTerms(text string) []string {
	var terms []string
	eachToken(text, func(t string) {
		if len(terms) < maxTerms && !slices.Contains(terms, t) {
			terms = append(terms, t)
		}
	})
	return terms
}

// tokenRange is the range of tokens that start with prefix.
func (ix *Index) tokenRange(prefix string) (lo, hi int) {
	lo, _ = slices.BinarySearch(ix.tokens, prefix)
	hi = lo
	for hi < len(ix.tokens) && strings.HasPrefix(ix.tokens[hi], prefix) {
		hi++
	}
	return lo, hi
}

// match finds the live records matching every term of text. Must be called
// with the read lock held and the token list fresh. It returns nil when
// nothing matches; otherwise the caller returns the scratch with putScratch.
func (ix *Index) match(text string) *matchResult {
	terms := queryTerms(text)
	if len(terms) == 0 {
		return nil
	}
	type termRange struct {
		term   string
		lo, hi int
		cost   int
	}
	ranges := make([]termRange, len(terms))
	for i, t := range terms {
		lo, hi := ix.tokenRange(t)
		if lo == hi {
			return nil // a word nothing starts with: no record has all of them
		}
		cost := 0
		for _, tok := range ix.tokens[lo:hi] {
			cost += len(ix.postings[tok])
		}
		ranges[i] = termRange{t, lo, hi, cost}
	}
	// The rarest term first: only its records can match, and the others
	// just confirm them.
	slices.SortFunc(ranges, func(a, b termRange) int { return cmp.Compare(a.cost, b.cost) })

	sc := ix.getScratch()
	for i, r := range ranges {
		step := uint8(i)
		for _, tok := range ix.tokens[r.lo:r.hi] {
			exact := tok == r.term
			for _, p := range ix.postings[tok] {
				n := p >> fieldBits
				m := sc.matched[n]
				if m != step && m != step+1 {
					continue
				}
				if !ix.recs[n].alive {
					continue
				}
				if m == step {
					sc.matched[n] = step + 1
					if i == 0 {
						sc.touched = append(sc.touched, n)
					}
				}
				sc.score[n] += weight(p&fieldMask, exact)
			}
		}
	}
	want := uint8(len(ranges))
	var nums []uint32
	for _, n := range sc.touched {
		if sc.matched[n] == want {
			nums = append(nums, n)
		}
	}
	if len(nums) == 0 {
		ix.putScratch(sc)
		return nil
	}
	return &matchResult{nums: nums, sc: sc}
}

func weight(fields uint32, exact bool) uint32 {
	var w uint32
	switch {
	case fields&fieldTitle != 0:
		w = 16
	case fields&fieldCode != 0:
		w = 8
	case fields&fieldKind != 0:
		w = 4
	default:
		w = 2
	}
	if exact {
		w *= 2
	}
	return w
}

func (ix *Index) getScratch() *searchScratch {
	sc, _ := ix.scratch.Get().(*searchScratch)
	if sc == nil {
		sc = &searchScratch{}
	}
	if len(sc.matched) < len(ix.recs) {
		size := len(ix.recs) + len(ix.recs)/4
		sc.matched = make([]uint8, size)
		sc.score = make([]uint32, size)
	}
	sc.touched = sc.touched[:0]
	return sc
}

func (ix *Index) putScratch(sc *searchScratch) {
	for _, n := range sc.touched {
		sc.matched[n], sc.score[n] = 0, 0
	}
	sc.touched = sc.touched[:0]
	ix.scratch.Put(sc)
}
