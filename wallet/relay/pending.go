package relay

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// pendingBudget bounds the bytes of uploads held pending — their grant not
// on chain yet, so never served, and deleted after Config.PendingGrace if it
// never arrives — per client address and in all. Without it, keys made up by
// a stranger could fill the relay's store with uploads no grant will ever
// admit, and lock every patient out until they are purged. It lives in
// memory: a charge lasts as long as the pending window it pays for.
type pendingBudget struct {
	mu        sync.Mutex
	perClient int64
	total     int64
	used      int64
	charges   map[string][]pendingCharge // by RateKey of the client address
}

type pendingCharge struct {
	bytes int64
	until time.Time
}

func newPendingBudget(perClient, total int64) *pendingBudget {
	return &pendingBudget{perClient: perClient, total: total, charges: map[string][]pendingCharge{}}
}

// take charges bytes to client until until, and reports whether both the
// client's and the relay's pending budgets had room. Charges past their time
// are dropped first.
func (p *pendingBudget) take(client string, bytes int64, now, until time.Time) (ok, clientFull bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, cs := range p.charges {
		kept := cs[:0]
		for _, c := range cs {
			if now.Before(c.until) {
				kept = append(kept, c)
			} else {
				p.used -= c.bytes
			}
		}
		if len(kept) == 0 {
			delete(p.charges, k)
		} else {
			p.charges[k] = kept
		}
	}
	var mine int64
	for _, c := range p.charges[client] {
		mine += c.bytes
	}
	if mine+bytes > p.perClient {
		return false, true
	}
	if p.used+bytes > p.total {
		return false, false
	}
	p.charges[client] = append(p.charges[client], pendingCharge{bytes: bytes, until: until})
	p.used += bytes
	return true, false
}

// admitPending charges a pending upload to its client's and the relay's
// pending budgets; over either it answers 429 and returns false.
func (s *Server) admitPending(w http.ResponseWriter, r *http.Request, rec *shareRecord, now time.Time) bool {
	ok, clientFull := s.pending.take(RateKey(s.clientIP(r)), int64(rec.size()), now, time.Unix(rec.PendingUntil, 0))
	switch {
	case ok:
		return true
	case clientFull:
		w.Header().Set("Retry-After", fmt.Sprint(int(s.cfg.PendingGrace.Seconds())))
		writeError(w, http.StatusTooManyRequests, "too many uploads from this address are waiting for their grant to reach the chain: wait until those grants are on chain (or a few minutes), then try again")
	default:
		w.Header().Set("Retry-After", fmt.Sprint(int(s.cfg.PendingGrace.Seconds())))
		writeError(w, http.StatusTooManyRequests, "this relay holds as many uploads waiting for their grant as it will: wait until your grant is on chain (or a few minutes), then try again")
	}
	return false
}
