// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// HealthRegistryMetaData contains all meta data concerning the HealthRegistry contract.
var HealthRegistryMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"}],\"name\":\"AlreadyAnchored\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"BadDelegate\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"BadExpiry\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"}],\"name\":\"BadRights\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"DelegateNotFound\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EmptyBatch\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EmptyRoot\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"GrantAlreadyRevoked\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"GrantExists\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"GrantExpired\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"GrantNotFound\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"caller\",\"type\":\"address\"}],\"name\":\"NotAuthorized\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"accessor\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"purpose\",\"type\":\"bytes32\"}],\"name\":\"AccessLogged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"}],\"name\":\"Anchored\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"DelegateRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"DelegateSet\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"issuer\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"GrantIssued\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"by\",\"type\":\"address\"}],\"name\":\"GrantRevoked\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"}],\"name\":\"anchor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"}],\"name\":\"anchorOf\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"anchoredAt\",\"type\":\"uint64\"},{\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"delegateOf\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"grantOf\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"issuer\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"bool\",\"name\":\"revoked\",\"type\":\"bool\"},{\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"isGrantActive\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"issueGrant\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"issueGrantFor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"purpose\",\"type\":\"bytes32\"}],\"name\":\"logAccess\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"revokeDelegate\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"revokeGrant\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"},{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"setDelegate\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "HealthRegistry",
	Bin: "0x6080604052348015600e575f5ffd5b506113bf8061001c5f395ff3fe608060405234801561000f575f5ffd5b50600436106100c4575f3560e01c80639aee26f11161007d578063cf4ff90111610058578063cf4ff901146101f2578063da2a4e64146102d1578063fa352c00146102e4575f5ffd5b80639aee26f11461013e5780639dca40e4146101a2578063b5f783a8146101b5575f5ffd5b8063602484c2116100ad578063602484c2146100f05780636e500b55146101035780638f31f53014610116575f5ffd5b806344ecffc5146100c857806347489de4146100dd575b5f5ffd5b6100db6100d636600461121d565b6102f7565b005b6100db6100eb36600461123d565b6104ce565b6100db6100fe3660046112b2565b6106ef565b6100db6101113660046112f9565b6108d8565b6101296101243660046112f9565b610abb565b60405190151581526020015b60405180910390f35b61015161014c3660046112f9565b610b50565b6040805173ffffffffffffffffffffffffffffffffffffffff968716815295909416602086015267ffffffffffffffff9092169284019290925290151560608301521515608082015260a001610135565b6100db6101b0366004611310565b610c20565b6101c86101c3366004611340565b610dde565b6040805160ff909416845267ffffffffffffffff9092166020840152151590820152606001610135565b6102906102003660046112f9565b5f90815260208181526040918290208251606081018452905473ffffffffffffffffffffffffffffffffffffffff811680835274010000000000000000000000000000000000000000820467ffffffffffffffff169383018490527c010000000000000000000000000000000000000000000000000000000090910463ffffffff16919093018190529192909190565b6040805173ffffffffffffffffffffffffffffffffffffffff909416845267ffffffffffffffff909216602084015263ffffffff1690820152606001610135565b6100db6102df366004611371565b610e67565b6100db6102f2366004611392565b610eb9565b5f828152600160209081526040918290208251606081018452905473ffffffffffffffffffffffffffffffffffffffff811680835274010000000000000000000000000000000000000000820467ffffffffffffffff16938301939093527c0100000000000000000000000000000000000000000000000000000000900460ff161515928101929092526103bf576040517f90750d19000000000000000000000000000000000000000000000000000000008152600481018490526024015b60405180910390fd5b8060400151156103fe576040517f8b37d1b7000000000000000000000000000000000000000000000000000000008152600481018490526024016103b6565b42816020015167ffffffffffffffff161161045e5760208101516040517f801370920000000000000000000000000000000000000000000000000000000081526004810185905267ffffffffffffffff90911660248201526044016103b6565b3373ffffffffffffffffffffffffffffffffffffffff1683825f015173ffffffffffffffffffffffffffffffffffffffff167f1e6d1222402ee147a91e223c6deb7cabd2af3c8812b2a122124c7dc8be5eb2ee856040516104c191815260200190565b60405180910390a4505050565b81610505576040517f53ce4ece00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b8063ffffffff165f03610544576040517fc2e5347d00000000000000000000000000000000000000000000000000000000815260040160405180910390fd5b5f8281526020819052604090205473ffffffffffffffffffffffffffffffffffffffff1680156105bf576040517f6ef861d00000000000000000000000000000000000000000000000000000000081526004810184905273ffffffffffffffffffffffffffffffffffffffff821660248201526044016103b6565b604080516060810182523380825267ffffffffffffffff428116602080850191825263ffffffff8089168688019081525f8b8152928390529187902095518654935192519091167c0100000000000000000000000000000000000000000000000000000000027bffffffffffffffffffffffffffffffffffffffffffffffffffffffff9290941674010000000000000000000000000000000000000000027fffffffff0000000000000000000000000000000000000000000000000000000090931673ffffffffffffffffffffffffffffffffffffffff919091161791909117161790915590518491907fa289f0e4771d734d0565eec23b8b4014bbb249ede5e478e2aac2897cb87a377a906106e290869063ffffffff91909116815260200190565b60405180910390a3505050565b73ffffffffffffffffffffffffffffffffffffffff83161580610727575073ffffffffffffffffffffffffffffffffffffffff831633145b15610776576040517ff4c1e54000000000000000000000000000000000000000000000000000000000815273ffffffffffffffffffffffffffffffffffffffff841660048201526024016103b6565b60ff82161580610788575060f8821615155b156107c4576040517f4091282300000000000000000000000000000000000000000000000000000000815260ff831660048201526024016103b6565b428167ffffffffffffffff1611610813576040517f115d3d4200000000000000000000000000000000000000000000000000000000815267ffffffffffffffff821660048201526024016103b6565b60408051808201825260ff84811680835267ffffffffffffffff8581166020808601828152335f8181526003845289812073ffffffffffffffffffffffffffffffffffffffff8e16808352908552908a9020985189549351909616610100027fffffffffffffffffffffffffffffffffffffffffffffff00000000000000000090931695909716949094171790955585519283529382019390935290927f271c5bd176c8ae5f79cee760a031590e5a6a2832cd8198cdced7e7401f3de49491016106e2565b5f818152600160205260409020805473ffffffffffffffffffffffffffffffffffffffff1680610937576040517f90750d19000000000000000000000000000000000000000000000000000000008152600481018490526024016103b6565b81547c0100000000000000000000000000000000000000000000000000000000900460ff1615610996576040517f8b37d1b7000000000000000000000000000000000000000000000000000000008152600481018490526024016103b6565b3373ffffffffffffffffffffffffffffffffffffffff8216148015906109c557506109c381336004610fc2565b155b80156109f457505f8381526002602052604090205473ffffffffffffffffffffffffffffffffffffffff163314155b15610a2d576040517f4a0bfec10000000000000000000000000000000000000000000000000000000081523360048201526024016103b6565b81547fffffff00ffffffffffffffffffffffffffffffffffffffffffffffffffffffff167c01000000000000000000000000000000000000000000000000000000001782556040513390849073ffffffffffffffffffffffffffffffffffffffff8416907f7a74d0ce7fec92605c4e2f6daaecf62bcbb7bebc7f21f5df58473d92d3f223f9905f90a4505050565b5f8181526001602090815260408083208151606081018352905473ffffffffffffffffffffffffffffffffffffffff8116825274010000000000000000000000000000000000000000810467ffffffffffffffff16938201939093527c010000000000000000000000000000000000000000000000000000000090920460ff16151590820152610b4a90611045565b92915050565b5f8181526001602090815260408083208151606081018352905473ffffffffffffffffffffffffffffffffffffffff808216835274010000000000000000000000000000000000000000820467ffffffffffffffff16838601527c010000000000000000000000000000000000000000000000000000000090910460ff16151582840152858552600290935290832054909116919081908190819085610bf557805195505b85815f015182602001518360400151610c0d85611045565b939b929a50909850965090945092505050565b73ffffffffffffffffffffffffffffffffffffffff83163314610d7d5773ffffffffffffffffffffffffffffffffffffffff83165f90815260036020908152604080832033845282529182902082518084019093525460ff8116835267ffffffffffffffff610100820416918301919091526002161580610caf575042816020015167ffffffffffffffff1611155b15610ce8576040517f4a0bfec10000000000000000000000000000000000000000000000000000000081523360048201526024016103b6565b806020015167ffffffffffffffff168267ffffffffffffffff161115610d46576040517f115d3d4200000000000000000000000000000000000000000000000000000000815267ffffffffffffffff831660048201526024016103b6565b505f82815260026020526040902080547fffffffffffffffffffffffff000000000000000000000000000000000000000016331790555b610d8883838361108c565b60405167ffffffffffffffff821681523390839073ffffffffffffffffffffffffffffffffffffffff8616907fdf182d990f7f8003ceb999337989739a260c3ba979ee4e2035e1cb77fdbedae0906020016104c1565b73ffffffffffffffffffffffffffffffffffffffff8281165f908152600360209081526040808320938516835292815282822083518085019094525460ff811680855261010090910467ffffffffffffffff169184018290529192839283928115801590610e59575042836020015167ffffffffffffffff16115b935093509350509250925092565b610e7233838361108c565b60405167ffffffffffffffff821681523390839082907fdf182d990f7f8003ceb999337989739a260c3ba979ee4e2035e1cb77fdbedae09060200160405180910390a45050565b335f90815260036020908152604080832073ffffffffffffffffffffffffffffffffffffffff8516845290915281205460ff169003610f42576040517f68df9e0d00000000000000000000000000000000000000000000000000000000815233600482015273ffffffffffffffffffffffffffffffffffffffff821660248201526044016103b6565b335f81815260036020908152604080832073ffffffffffffffffffffffffffffffffffffffff8616808552925280832080547fffffffffffffffffffffffffffffffffffffffffffffff000000000000000000169055519092917f76e6646868d096078ac7f3f1401c3aaa55dc84890ec74b99c699e4754714b18e91a350565b73ffffffffffffffffffffffffffffffffffffffff8084165f908152600360209081526040808320938616835292815282822083518085019094525460ff808216855267ffffffffffffffff610100830416928501929092529192918416161580159061103c575042816020015167ffffffffffffffff16115b95945050505050565b80515f9073ffffffffffffffffffffffffffffffffffffffff161580159061106f57508160400151155b8015610b4a575050602001514267ffffffffffffffff9091161190565b428167ffffffffffffffff16116110db576040517f115d3d4200000000000000000000000000000000000000000000000000000000815267ffffffffffffffff821660048201526024016103b6565b5f8281526001602052604090205473ffffffffffffffffffffffffffffffffffffffff1615611139576040517fc9a8eb28000000000000000000000000000000000000000000000000000000008152600481018390526024016103b6565b6040805160608101825273ffffffffffffffffffffffffffffffffffffffff948516815267ffffffffffffffff92831660208083019182525f838501818152968152600190915292909220905181549251945115157c0100000000000000000000000000000000000000000000000000000000027fffffff00ffffffffffffffffffffffffffffffffffffffffffffffffffffffff9590941674010000000000000000000000000000000000000000027fffffffff000000000000000000000000000000000000000000000000000000009093169516949094171791909116179055565b5f5f6040838503121561122e575f5ffd5b50508035926020909101359150565b5f5f6040838503121561124e575f5ffd5b82359150602083013563ffffffff81168114611268575f5ffd5b809150509250929050565b803573ffffffffffffffffffffffffffffffffffffffff81168114611296575f5ffd5b919050565b803567ffffffffffffffff81168114611296575f5ffd5b5f5f5f606084860312156112c4575f5ffd5b6112cd84611273565b9250602084013560ff811681146112e2575f5ffd5b91506112f06040850161129b565b90509250925092565b5f60208284031215611309575f5ffd5b5035919050565b5f5f5f60608486031215611322575f5ffd5b61132b84611273565b9250602084013591506112f06040850161129b565b5f5f60408385031215611351575f5ffd5b61135a83611273565b915061136860208401611273565b90509250929050565b5f5f60408385031215611382575f5ffd5b823591506113686020840161129b565b5f602082840312156113a2575f5ffd5b6113ab82611273565b939250505056fea164736f6c6343000825000a",
}

// HealthRegistry is an auto generated Go binding around an Ethereum contract.
type HealthRegistry struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *HealthRegistry) GetABI() abi.ABI {
	return c.abi
}

// NewHealthRegistry creates a new instance of HealthRegistry.
func NewHealthRegistry() *HealthRegistry {
	parsed, err := HealthRegistryMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &HealthRegistry{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *HealthRegistry) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackAnchor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x47489de4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchor(bytes32 root, uint32 count) returns()
func (healthRegistry *HealthRegistry) PackAnchor(root [32]byte, count uint32) []byte {
	enc, err := healthRegistry.abi.Pack("anchor", root, count)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x47489de4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchor(bytes32 root, uint32 count) returns()
func (healthRegistry *HealthRegistry) TryPackAnchor(root [32]byte, count uint32) ([]byte, error) {
	return healthRegistry.abi.Pack("anchor", root, count)
}

// PackAnchorOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xcf4ff901.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchorOf(bytes32 root) view returns(address patient, uint64 anchoredAt, uint32 count)
func (healthRegistry *HealthRegistry) PackAnchorOf(root [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("anchorOf", root)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchorOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xcf4ff901.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchorOf(bytes32 root) view returns(address patient, uint64 anchoredAt, uint32 count)
func (healthRegistry *HealthRegistry) TryPackAnchorOf(root [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("anchorOf", root)
}

// AnchorOfOutput serves as a container for the return parameters of contract
// method AnchorOf.
type AnchorOfOutput struct {
	Patient    common.Address
	AnchoredAt uint64
	Count      uint32
}

// UnpackAnchorOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xcf4ff901.
//
// Solidity: function anchorOf(bytes32 root) view returns(address patient, uint64 anchoredAt, uint32 count)
func (healthRegistry *HealthRegistry) UnpackAnchorOf(data []byte) (AnchorOfOutput, error) {
	out, err := healthRegistry.abi.Unpack("anchorOf", data)
	outstruct := new(AnchorOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Patient = *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	outstruct.AnchoredAt = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	outstruct.Count = *abi.ConvertType(out[2], new(uint32)).(*uint32)
	return *outstruct, nil
}

// PackDelegateOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb5f783a8.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function delegateOf(address patient, address delegate) view returns(uint8 rights, uint64 expiry, bool active)
func (healthRegistry *HealthRegistry) PackDelegateOf(patient common.Address, delegate common.Address) []byte {
	enc, err := healthRegistry.abi.Pack("delegateOf", patient, delegate)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDelegateOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb5f783a8.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function delegateOf(address patient, address delegate) view returns(uint8 rights, uint64 expiry, bool active)
func (healthRegistry *HealthRegistry) TryPackDelegateOf(patient common.Address, delegate common.Address) ([]byte, error) {
	return healthRegistry.abi.Pack("delegateOf", patient, delegate)
}

// DelegateOfOutput serves as a container for the return parameters of contract
// method DelegateOf.
type DelegateOfOutput struct {
	Rights uint8
	Expiry uint64
	Active bool
}

// UnpackDelegateOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xb5f783a8.
//
// Solidity: function delegateOf(address patient, address delegate) view returns(uint8 rights, uint64 expiry, bool active)
func (healthRegistry *HealthRegistry) UnpackDelegateOf(data []byte) (DelegateOfOutput, error) {
	out, err := healthRegistry.abi.Unpack("delegateOf", data)
	outstruct := new(DelegateOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Rights = *abi.ConvertType(out[0], new(uint8)).(*uint8)
	outstruct.Expiry = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	outstruct.Active = *abi.ConvertType(out[2], new(bool)).(*bool)
	return *outstruct, nil
}

// PackGrantOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9aee26f1.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantOf(bytes32 digest) view returns(address issuer, address patient, uint64 expiry, bool revoked, bool active)
func (healthRegistry *HealthRegistry) PackGrantOf(digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("grantOf", digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9aee26f1.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantOf(bytes32 digest) view returns(address issuer, address patient, uint64 expiry, bool revoked, bool active)
func (healthRegistry *HealthRegistry) TryPackGrantOf(digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("grantOf", digest)
}

// GrantOfOutput serves as a container for the return parameters of contract
// method GrantOf.
type GrantOfOutput struct {
	Issuer  common.Address
	Patient common.Address
	Expiry  uint64
	Revoked bool
	Active  bool
}

// UnpackGrantOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x9aee26f1.
//
// Solidity: function grantOf(bytes32 digest) view returns(address issuer, address patient, uint64 expiry, bool revoked, bool active)
func (healthRegistry *HealthRegistry) UnpackGrantOf(data []byte) (GrantOfOutput, error) {
	out, err := healthRegistry.abi.Unpack("grantOf", data)
	outstruct := new(GrantOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Issuer = *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	outstruct.Patient = *abi.ConvertType(out[1], new(common.Address)).(*common.Address)
	outstruct.Expiry = *abi.ConvertType(out[2], new(uint64)).(*uint64)
	outstruct.Revoked = *abi.ConvertType(out[3], new(bool)).(*bool)
	outstruct.Active = *abi.ConvertType(out[4], new(bool)).(*bool)
	return *outstruct, nil
}

// PackIsGrantActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8f31f530.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isGrantActive(bytes32 digest) view returns(bool)
func (healthRegistry *HealthRegistry) PackIsGrantActive(digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("isGrantActive", digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsGrantActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8f31f530.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isGrantActive(bytes32 digest) view returns(bool)
func (healthRegistry *HealthRegistry) TryPackIsGrantActive(digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("isGrantActive", digest)
}

// UnpackIsGrantActive is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8f31f530.
//
// Solidity: function isGrantActive(bytes32 digest) view returns(bool)
func (healthRegistry *HealthRegistry) UnpackIsGrantActive(data []byte) (bool, error) {
	out, err := healthRegistry.abi.Unpack("isGrantActive", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIssueGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xda2a4e64.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function issueGrant(bytes32 digest, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) PackIssueGrant(digest [32]byte, expiry uint64) []byte {
	enc, err := healthRegistry.abi.Pack("issueGrant", digest, expiry)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIssueGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xda2a4e64.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function issueGrant(bytes32 digest, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) TryPackIssueGrant(digest [32]byte, expiry uint64) ([]byte, error) {
	return healthRegistry.abi.Pack("issueGrant", digest, expiry)
}

// PackIssueGrantFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9dca40e4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function issueGrantFor(address patient, bytes32 digest, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) PackIssueGrantFor(patient common.Address, digest [32]byte, expiry uint64) []byte {
	enc, err := healthRegistry.abi.Pack("issueGrantFor", patient, digest, expiry)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIssueGrantFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x9dca40e4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function issueGrantFor(address patient, bytes32 digest, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) TryPackIssueGrantFor(patient common.Address, digest [32]byte, expiry uint64) ([]byte, error) {
	return healthRegistry.abi.Pack("issueGrantFor", patient, digest, expiry)
}

// PackLogAccess is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x44ecffc5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function logAccess(bytes32 digest, bytes32 purpose) returns()
func (healthRegistry *HealthRegistry) PackLogAccess(digest [32]byte, purpose [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("logAccess", digest, purpose)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLogAccess is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x44ecffc5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function logAccess(bytes32 digest, bytes32 purpose) returns()
func (healthRegistry *HealthRegistry) TryPackLogAccess(digest [32]byte, purpose [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("logAccess", digest, purpose)
}

// PackRevokeDelegate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfa352c00.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeDelegate(address delegate) returns()
func (healthRegistry *HealthRegistry) PackRevokeDelegate(delegate common.Address) []byte {
	enc, err := healthRegistry.abi.Pack("revokeDelegate", delegate)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeDelegate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xfa352c00.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeDelegate(address delegate) returns()
func (healthRegistry *HealthRegistry) TryPackRevokeDelegate(delegate common.Address) ([]byte, error) {
	return healthRegistry.abi.Pack("revokeDelegate", delegate)
}

// PackRevokeGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6e500b55.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeGrant(bytes32 digest) returns()
func (healthRegistry *HealthRegistry) PackRevokeGrant(digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("revokeGrant", digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6e500b55.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeGrant(bytes32 digest) returns()
func (healthRegistry *HealthRegistry) TryPackRevokeGrant(digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("revokeGrant", digest)
}

// PackSetDelegate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x602484c2.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setDelegate(address delegate, uint8 rights, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) PackSetDelegate(delegate common.Address, rights uint8, expiry uint64) []byte {
	enc, err := healthRegistry.abi.Pack("setDelegate", delegate, rights, expiry)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetDelegate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x602484c2.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setDelegate(address delegate, uint8 rights, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) TryPackSetDelegate(delegate common.Address, rights uint8, expiry uint64) ([]byte, error) {
	return healthRegistry.abi.Pack("setDelegate", delegate, rights, expiry)
}

// HealthRegistryAccessLogged represents a AccessLogged event raised by the HealthRegistry contract.
type HealthRegistryAccessLogged struct {
	Patient  common.Address
	Digest   [32]byte
	Accessor common.Address
	Purpose  [32]byte
	Raw      *types.Log // Blockchain specific contextual infos
}

const HealthRegistryAccessLoggedEventName = "AccessLogged"

// ContractEventName returns the user-defined event name.
func (HealthRegistryAccessLogged) ContractEventName() string {
	return HealthRegistryAccessLoggedEventName
}

// UnpackAccessLoggedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event AccessLogged(address indexed patient, bytes32 indexed digest, address indexed accessor, bytes32 purpose)
func (healthRegistry *HealthRegistry) UnpackAccessLoggedEvent(log *types.Log) (*HealthRegistryAccessLogged, error) {
	event := "AccessLogged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != healthRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(HealthRegistryAccessLogged)
	if len(log.Data) > 0 {
		if err := healthRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range healthRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// HealthRegistryAnchored represents a Anchored event raised by the HealthRegistry contract.
type HealthRegistryAnchored struct {
	Patient common.Address
	Root    [32]byte
	Count   uint32
	Raw     *types.Log // Blockchain specific contextual infos
}

const HealthRegistryAnchoredEventName = "Anchored"

// ContractEventName returns the user-defined event name.
func (HealthRegistryAnchored) ContractEventName() string {
	return HealthRegistryAnchoredEventName
}

// UnpackAnchoredEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Anchored(address indexed patient, bytes32 indexed root, uint32 count)
func (healthRegistry *HealthRegistry) UnpackAnchoredEvent(log *types.Log) (*HealthRegistryAnchored, error) {
	event := "Anchored"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != healthRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(HealthRegistryAnchored)
	if len(log.Data) > 0 {
		if err := healthRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range healthRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// HealthRegistryDelegateRevoked represents a DelegateRevoked event raised by the HealthRegistry contract.
type HealthRegistryDelegateRevoked struct {
	Patient  common.Address
	Delegate common.Address
	Raw      *types.Log // Blockchain specific contextual infos
}

const HealthRegistryDelegateRevokedEventName = "DelegateRevoked"

// ContractEventName returns the user-defined event name.
func (HealthRegistryDelegateRevoked) ContractEventName() string {
	return HealthRegistryDelegateRevokedEventName
}

// UnpackDelegateRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event DelegateRevoked(address indexed patient, address indexed delegate)
func (healthRegistry *HealthRegistry) UnpackDelegateRevokedEvent(log *types.Log) (*HealthRegistryDelegateRevoked, error) {
	event := "DelegateRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != healthRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(HealthRegistryDelegateRevoked)
	if len(log.Data) > 0 {
		if err := healthRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range healthRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// HealthRegistryDelegateSet represents a DelegateSet event raised by the HealthRegistry contract.
type HealthRegistryDelegateSet struct {
	Patient  common.Address
	Delegate common.Address
	Rights   uint8
	Expiry   uint64
	Raw      *types.Log // Blockchain specific contextual infos
}

const HealthRegistryDelegateSetEventName = "DelegateSet"

// ContractEventName returns the user-defined event name.
func (HealthRegistryDelegateSet) ContractEventName() string {
	return HealthRegistryDelegateSetEventName
}

// UnpackDelegateSetEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event DelegateSet(address indexed patient, address indexed delegate, uint8 rights, uint64 expiry)
func (healthRegistry *HealthRegistry) UnpackDelegateSetEvent(log *types.Log) (*HealthRegistryDelegateSet, error) {
	event := "DelegateSet"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != healthRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(HealthRegistryDelegateSet)
	if len(log.Data) > 0 {
		if err := healthRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range healthRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// HealthRegistryGrantIssued represents a GrantIssued event raised by the HealthRegistry contract.
type HealthRegistryGrantIssued struct {
	Patient common.Address
	Digest  [32]byte
	Issuer  common.Address
	Expiry  uint64
	Raw     *types.Log // Blockchain specific contextual infos
}

const HealthRegistryGrantIssuedEventName = "GrantIssued"

// ContractEventName returns the user-defined event name.
func (HealthRegistryGrantIssued) ContractEventName() string {
	return HealthRegistryGrantIssuedEventName
}

// UnpackGrantIssuedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event GrantIssued(address indexed patient, bytes32 indexed digest, address indexed issuer, uint64 expiry)
func (healthRegistry *HealthRegistry) UnpackGrantIssuedEvent(log *types.Log) (*HealthRegistryGrantIssued, error) {
	event := "GrantIssued"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != healthRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(HealthRegistryGrantIssued)
	if len(log.Data) > 0 {
		if err := healthRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range healthRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// HealthRegistryGrantRevoked represents a GrantRevoked event raised by the HealthRegistry contract.
type HealthRegistryGrantRevoked struct {
	Patient common.Address
	Digest  [32]byte
	By      common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const HealthRegistryGrantRevokedEventName = "GrantRevoked"

// ContractEventName returns the user-defined event name.
func (HealthRegistryGrantRevoked) ContractEventName() string {
	return HealthRegistryGrantRevokedEventName
}

// UnpackGrantRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event GrantRevoked(address indexed patient, bytes32 indexed digest, address indexed by)
func (healthRegistry *HealthRegistry) UnpackGrantRevokedEvent(log *types.Log) (*HealthRegistryGrantRevoked, error) {
	event := "GrantRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != healthRegistry.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(HealthRegistryGrantRevoked)
	if len(log.Data) > 0 {
		if err := healthRegistry.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range healthRegistry.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (healthRegistry *HealthRegistry) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["AlreadyAnchored"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackAlreadyAnchoredError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadDelegate"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadDelegateError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadExpiry"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadExpiryError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadRights"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadRightsError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["DelegateNotFound"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackDelegateNotFoundError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["EmptyBatch"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackEmptyBatchError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["EmptyRoot"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackEmptyRootError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["GrantAlreadyRevoked"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackGrantAlreadyRevokedError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["GrantExists"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackGrantExistsError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["GrantExpired"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackGrantExpiredError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["GrantNotFound"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackGrantNotFoundError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["NotAuthorized"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackNotAuthorizedError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// HealthRegistryAlreadyAnchored represents a AlreadyAnchored error raised by the HealthRegistry contract.
type HealthRegistryAlreadyAnchored struct {
	Root    [32]byte
	Patient common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyAnchored(bytes32 root, address patient)
func HealthRegistryAlreadyAnchoredErrorID() common.Hash {
	return common.HexToHash("0x6ef861d0bb3185ed2816006396d07ff51e405bcecb31dc9ad8e79d0c9d8e7c38")
}

// UnpackAlreadyAnchoredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyAnchored(bytes32 root, address patient)
func (healthRegistry *HealthRegistry) UnpackAlreadyAnchoredError(raw []byte) (*HealthRegistryAlreadyAnchored, error) {
	out := new(HealthRegistryAlreadyAnchored)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "AlreadyAnchored", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryBadDelegate represents a BadDelegate error raised by the HealthRegistry contract.
type HealthRegistryBadDelegate struct {
	Delegate common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadDelegate(address delegate)
func HealthRegistryBadDelegateErrorID() common.Hash {
	return common.HexToHash("0xf4c1e5407d6be00c81da885e4aa9da3bc234af647078dfb6f45c3c72c8290064")
}

// UnpackBadDelegateError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadDelegate(address delegate)
func (healthRegistry *HealthRegistry) UnpackBadDelegateError(raw []byte) (*HealthRegistryBadDelegate, error) {
	out := new(HealthRegistryBadDelegate)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "BadDelegate", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryBadExpiry represents a BadExpiry error raised by the HealthRegistry contract.
type HealthRegistryBadExpiry struct {
	Expiry uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadExpiry(uint64 expiry)
func HealthRegistryBadExpiryErrorID() common.Hash {
	return common.HexToHash("0x115d3d426c17c3e2eb531c245ef6ed2a5879ff7034c340e5e1e9ee60cd9abcac")
}

// UnpackBadExpiryError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadExpiry(uint64 expiry)
func (healthRegistry *HealthRegistry) UnpackBadExpiryError(raw []byte) (*HealthRegistryBadExpiry, error) {
	out := new(HealthRegistryBadExpiry)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "BadExpiry", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryBadRights represents a BadRights error raised by the HealthRegistry contract.
type HealthRegistryBadRights struct {
	Rights uint8
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadRights(uint8 rights)
func HealthRegistryBadRightsErrorID() common.Hash {
	return common.HexToHash("0x40912823365dc97a4ca6efe4bca5966ef0437907e1e5636272333d796d936260")
}

// UnpackBadRightsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadRights(uint8 rights)
func (healthRegistry *HealthRegistry) UnpackBadRightsError(raw []byte) (*HealthRegistryBadRights, error) {
	out := new(HealthRegistryBadRights)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "BadRights", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryDelegateNotFound represents a DelegateNotFound error raised by the HealthRegistry contract.
type HealthRegistryDelegateNotFound struct {
	Patient  common.Address
	Delegate common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error DelegateNotFound(address patient, address delegate)
func HealthRegistryDelegateNotFoundErrorID() common.Hash {
	return common.HexToHash("0x68df9e0d59818ea401175cb14c9f0946231629ace8d7569fcceb0037a296814d")
}

// UnpackDelegateNotFoundError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error DelegateNotFound(address patient, address delegate)
func (healthRegistry *HealthRegistry) UnpackDelegateNotFoundError(raw []byte) (*HealthRegistryDelegateNotFound, error) {
	out := new(HealthRegistryDelegateNotFound)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "DelegateNotFound", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryEmptyBatch represents a EmptyBatch error raised by the HealthRegistry contract.
type HealthRegistryEmptyBatch struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EmptyBatch()
func HealthRegistryEmptyBatchErrorID() common.Hash {
	return common.HexToHash("0xc2e5347df6cf8d1bf68f8a9651642312bd381b900d857d97cd665976180d6ae0")
}

// UnpackEmptyBatchError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EmptyBatch()
func (healthRegistry *HealthRegistry) UnpackEmptyBatchError(raw []byte) (*HealthRegistryEmptyBatch, error) {
	out := new(HealthRegistryEmptyBatch)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "EmptyBatch", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryEmptyRoot represents a EmptyRoot error raised by the HealthRegistry contract.
type HealthRegistryEmptyRoot struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error EmptyRoot()
func HealthRegistryEmptyRootErrorID() common.Hash {
	return common.HexToHash("0x53ce4ece66102bfdfb7e2dd6215b88dbc54b76fd92f4bed53b69b1166a744a63")
}

// UnpackEmptyRootError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error EmptyRoot()
func (healthRegistry *HealthRegistry) UnpackEmptyRootError(raw []byte) (*HealthRegistryEmptyRoot, error) {
	out := new(HealthRegistryEmptyRoot)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "EmptyRoot", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryGrantAlreadyRevoked represents a GrantAlreadyRevoked error raised by the HealthRegistry contract.
type HealthRegistryGrantAlreadyRevoked struct {
	Digest [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error GrantAlreadyRevoked(bytes32 digest)
func HealthRegistryGrantAlreadyRevokedErrorID() common.Hash {
	return common.HexToHash("0x8b37d1b70cbc33027c28c96b48345521bcddd04a00c7618390e73aa0d8f30194")
}

// UnpackGrantAlreadyRevokedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error GrantAlreadyRevoked(bytes32 digest)
func (healthRegistry *HealthRegistry) UnpackGrantAlreadyRevokedError(raw []byte) (*HealthRegistryGrantAlreadyRevoked, error) {
	out := new(HealthRegistryGrantAlreadyRevoked)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "GrantAlreadyRevoked", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryGrantExists represents a GrantExists error raised by the HealthRegistry contract.
type HealthRegistryGrantExists struct {
	Digest [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error GrantExists(bytes32 digest)
func HealthRegistryGrantExistsErrorID() common.Hash {
	return common.HexToHash("0xc9a8eb28a7ffea27c8fbf213220c481cacbaaa3d2aa2b3478fb63cad06aa5ef6")
}

// UnpackGrantExistsError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error GrantExists(bytes32 digest)
func (healthRegistry *HealthRegistry) UnpackGrantExistsError(raw []byte) (*HealthRegistryGrantExists, error) {
	out := new(HealthRegistryGrantExists)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "GrantExists", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryGrantExpired represents a GrantExpired error raised by the HealthRegistry contract.
type HealthRegistryGrantExpired struct {
	Digest [32]byte
	Expiry uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error GrantExpired(bytes32 digest, uint64 expiry)
func HealthRegistryGrantExpiredErrorID() common.Hash {
	return common.HexToHash("0x8013709227c9c26e129d6780b0672889d0721fec1e7b6ccd6af26c8c54972a1d")
}

// UnpackGrantExpiredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error GrantExpired(bytes32 digest, uint64 expiry)
func (healthRegistry *HealthRegistry) UnpackGrantExpiredError(raw []byte) (*HealthRegistryGrantExpired, error) {
	out := new(HealthRegistryGrantExpired)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "GrantExpired", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryGrantNotFound represents a GrantNotFound error raised by the HealthRegistry contract.
type HealthRegistryGrantNotFound struct {
	Digest [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error GrantNotFound(bytes32 digest)
func HealthRegistryGrantNotFoundErrorID() common.Hash {
	return common.HexToHash("0x90750d199d60a2815ac87668ca58349d35d627de17b01e70bc2e32acc622cf25")
}

// UnpackGrantNotFoundError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error GrantNotFound(bytes32 digest)
func (healthRegistry *HealthRegistry) UnpackGrantNotFoundError(raw []byte) (*HealthRegistryGrantNotFound, error) {
	out := new(HealthRegistryGrantNotFound)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "GrantNotFound", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryNotAuthorized represents a NotAuthorized error raised by the HealthRegistry contract.
type HealthRegistryNotAuthorized struct {
	Caller common.Address
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error NotAuthorized(address caller)
func HealthRegistryNotAuthorizedErrorID() common.Hash {
	return common.HexToHash("0x4a0bfec1fa3ea832f47a765e92fe13fe78ddadee056368ea6e89037b3cf70498")
}

// UnpackNotAuthorizedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error NotAuthorized(address caller)
func (healthRegistry *HealthRegistry) UnpackNotAuthorizedError(raw []byte) (*HealthRegistryNotAuthorized, error) {
	out := new(HealthRegistryNotAuthorized)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "NotAuthorized", raw); err != nil {
		return nil, err
	}
	return out, nil
}
