package chain

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// FuzzReadOnlyRequest: the read-only endpoint's parser and checks never
// panic on any body, and only the five reading methods are ever let through.
func FuzzReadOnlyRequest(f *testing.F) {
	registry := common.HexToAddress("0x5FbDB2315678afecb367f032d93F642f64180aa3")
	for _, seed := range []string{
		`{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}`,
		`[{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber"},{"id":2,"method":"eth_accounts"}]`,
		`{"id":1,"method":"eth_call","params":[{"to":"0x5FbDB2315678afecb367f032d93F642f64180aa3","data":"0x"},"latest"]}`,
		`{"id":1,"method":"eth_getLogs","params":[{"address":["0x5FbDB2315678afecb367f032d93F642f64180aa3"],"fromBlock":"earliest","toBlock":"0xffffffff","topics":[null,["0x01"]]}]}`,
		`{"id":1,"method":"eth_getLogs","params":[{"address":"0x5FbDB2315678afecb367f032d93F642f64180aa3","blockHash":"0x0000000000000000000000000000000000000000000000000000000000000001"}]}`,
		`{"id":1,"method":"eth_getCode","params":["0x5FbDB2315678afecb367f032d93F642f64180aa3","pending"]}`,
		`[]`, `[[]]`, `null`, `{"params":{}}`, `"x"`,
	} {
		f.Add([]byte(seed))
	}
	allowed := map[string]bool{"eth_chainId": true, "eth_blockNumber": true, "eth_getCode": true, "eth_call": true, "eth_getLogs": true}
	f.Fuzz(func(t *testing.T, body []byte) {
		reqs, _, perr := parseRPCRequests(body)
		if perr != nil {
			return
		}
		if len(reqs) == 0 || len(reqs) > ReadOnlyMaxBatch {
			t.Fatalf("%d requests let through", len(reqs))
		}
		for _, req := range reqs {
			if checkReadOnly(req, registry, func() (uint64, error) { return 1_000_000, nil }) == nil && !allowed[req.Method] {
				t.Fatalf("%s let through", req.Method)
			}
		}
	})
}
