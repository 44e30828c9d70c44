package contracts

import (
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/ethclient"
)

// Revert is a custom error the registry reverted with (NotAuthorized,
// GrantExpired, …), decoded from the revert data of a call, a gas estimate or a
// transaction.
type Revert struct {
	// Name is the Solidity error's name, as declared in HealthRegistry.sol.
	Name string
	// Args are its decoded arguments, in declaration order.
	Args []any
}

func (r *Revert) Error() string {
	args := make([]string, len(r.Args))
	for i, a := range r.Args {
		args[i] = fmt.Sprint(a)
	}
	return fmt.Sprintf("registry refused: %s(%s)", r.Name, strings.Join(args, ", "))
}

// AsRevert returns the registry's custom error carried by err, if err carries
// revert data that decodes as one of the errors in the registry's ABI. Any
// other error — a network failure, a plain revert, an error of another
// contract — gives false.
func AsRevert(err error) (*Revert, bool) {
	data, ok := ethclient.RevertErrorData(err)
	if !ok {
		return nil, false
	}
	return DecodeRevert(data)
}

// DecodeRevert decodes raw revert data (selector and arguments) as one of the
// registry's custom errors.
func DecodeRevert(data []byte) (*Revert, bool) {
	if len(data) < 4 {
		return nil, false
	}
	parsed, err := HealthRegistryMetaData.ParseABI()
	if err != nil {
		return nil, false
	}
	var e *abi.Error
	for _, candidate := range parsed.Errors {
		if string(candidate.ID[:4]) == string(data[:4]) {
			e = &candidate
			break
		}
	}
	if e == nil {
		return nil, false
	}
	args, err := e.Inputs.Unpack(data[4:])
	if err != nil {
		return nil, false
	}
	return &Revert{Name: e.Name, Args: args}, true
}
