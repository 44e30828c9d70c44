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
	ABI: "[{\"inputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"entry\",\"type\":\"bytes32\"}],\"name\":\"AccessAlreadyLogged\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"}],\"name\":\"AlreadyAnchored\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"BadDelegate\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"BadExpiry\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"expected\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"got\",\"type\":\"uint64\"}],\"name\":\"BadNonce\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"}],\"name\":\"BadRights\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadScope\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BadSignature\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"DelegateNotFound\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EmptyBatch\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"EmptyRoot\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"}],\"name\":\"Expired\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"GrantAlreadyRevoked\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"GrantExists\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"GrantExpired\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"GrantNotFound\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"caller\",\"type\":\"address\"}],\"name\":\"NotAuthorized\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"grantKey\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"entry\",\"type\":\"bytes32\"}],\"name\":\"AccessLogged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"indexed\":false,\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"}],\"name\":\"Anchored\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"DelegateRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"indexed\":false,\"internalType\":\"bytes32\",\"name\":\"scope\",\"type\":\"bytes32\"}],\"name\":\"DelegateSet\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"issuer\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"GrantIssued\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"by\",\"type\":\"address\"}],\"name\":\"GrantRevoked\",\"type\":\"event\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"grantKey\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"entry\",\"type\":\"bytes32\"}],\"name\":\"accessLogged\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"}],\"name\":\"anchor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"}],\"name\":\"anchorOf\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"anchoredAt\",\"type\":\"uint64\"},{\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"root\",\"type\":\"bytes32\"},{\"internalType\":\"uint32\",\"name\":\"count\",\"type\":\"uint32\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"vs\",\"type\":\"bytes32\"}],\"name\":\"anchorSigned\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"delegateOf\",\"outputs\":[{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"scope\",\"type\":\"bytes32\"},{\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"domainSeparator\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"grantKeyOf\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"pure\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"grantOf\",\"outputs\":[{\"internalType\":\"address\",\"name\":\"issuer\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"accessKey\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"bool\",\"name\":\"revoked\",\"type\":\"bool\"},{\"internalType\":\"bool\",\"name\":\"active\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"isGrantActive\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"accessKey\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"issueGrant\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"accessKey\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"}],\"name\":\"issueGrantFor\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"accessKey\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"vs\",\"type\":\"bytes32\"}],\"name\":\"issueGrantSigned\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"grantKey\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"entry\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"vs\",\"type\":\"bytes32\"}],\"name\":\"logAccess\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"}],\"name\":\"nonceOf\",\"outputs\":[{\"internalType\":\"uint64\",\"name\":\"\",\"type\":\"uint64\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"}],\"name\":\"revokeDelegate\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"},{\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"vs\",\"type\":\"bytes32\"}],\"name\":\"revokeDelegateSigned\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"}],\"name\":\"revokeGrant\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"patient\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"digest\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"vs\",\"type\":\"bytes32\"}],\"name\":\"revokeGrantSigned\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"},{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"scope\",\"type\":\"bytes32\"}],\"name\":\"setDelegate\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"delegate\",\"type\":\"address\"},{\"internalType\":\"uint8\",\"name\":\"rights\",\"type\":\"uint8\"},{\"internalType\":\"uint64\",\"name\":\"expiry\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"scope\",\"type\":\"bytes32\"},{\"internalType\":\"uint64\",\"name\":\"nonce\",\"type\":\"uint64\"},{\"internalType\":\"uint64\",\"name\":\"deadline\",\"type\":\"uint64\"},{\"internalType\":\"bytes32\",\"name\":\"r\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"vs\",\"type\":\"bytes32\"}],\"name\":\"setDelegateSigned\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"}]",
	ID:  "HealthRegistry",
	Bin: "0x60c0346100df574660a052602081017f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f81527f5895d06303e2f562be165e846447335597fe3240aca61600c9bd7150778083f060408301527fc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc660608301524660808301523060a083015260a0825260c082019180831060018060401b038411176100cb5782604052519020608052611a8c90816100e4823960805181610ef4015260a05181610ece0152f35b634e487b7160e01b5f52604160045260245ffd5b5f80fdfe60806040526004361015610011575f80fd5b5f3560e01c806306b14a7514610c545780632f88bc2814610c1c5780633381a44014610b9057806340e8c26014610af357806346356be614610a8457806347489de414610a5f5780636b0115c414610a285780637a66f8fc1461096b578063869f0887146109185780638ea99902146108b9578063afec26e414610632578063b237cb081461060b578063b5f783a814610542578063d9c396a814610449578063e3f809391461035f578063ecbe7ca514610258578063ed2a2d6414610209578063eded5b691461013f578063f698da251461011d5763fa352c00146100f5575f80fd5b3461011957602060031936011261011957610117610111610ca6565b33611990565b005b5f80fd5b34610119575f600319360112610119576020610137610ecb565b604051908152f35b346101195760a060031936011261011957610158610ca6565b6024359067ffffffffffffffff821691828103610119576102046101fd61011794610181610cec565b6040519060208201927ff5cc5b1e1f7692dc7e0429b0c36dd8c24fe02787bab9be694b890ca4032b9084845273ffffffffffffffffffffffffffffffffffffffff88166040840152606083015267ffffffffffffffff81166080830152608082526101ed60a083610d70565b6084359260643592519020611214565b91826118d6565b611990565b346101195760206003193601126101195773ffffffffffffffffffffffffffffffffffffffff610237610ca6565b165f526004602052602067ffffffffffffffff60405f205416604051908152f35b3461011957604060031936011261011957610271610ca6565b6040516102d9816102ad602082019460243590866020909392919373ffffffffffffffffffffffffffffffffffffffff60408201951681520152565b037fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe08101835282610d70565b5190205f525f60205260405f206040516040810181811067ffffffffffffffff821117610332576040926020918452549163ffffffff67ffffffffffffffff841693848352851c16918291015282519182526020820152f35b7f4e487b71000000000000000000000000000000000000000000000000000000005f52604160045260245ffd5b346101195760e06003193601126101195761011761037b610ca6565b602435610386610cc9565b9061038f610d03565b9261044361039b610d1a565b60405160208101917fb94e63da116609b4fdd82aaa60882c6e59adb74d7a67fc3e49902be20ee41ce8835273ffffffffffffffffffffffffffffffffffffffff8516604083015285606083015273ffffffffffffffffffffffffffffffffffffffff8716608083015267ffffffffffffffff881660a083015267ffffffffffffffff811660c083015260c0825261043360e083610d70565b60c4359260a43592519020611214565b90610fae565b346101195761010060031936011261011957610463610ca6565b61046b610d44565b610473610cec565b6064359161047f610d1a565b9360a4359467ffffffffffffffff8616808703610119576101fd61053d91610117986040519060208201927f4abe9260d21ecd00ed9eb264d01a01c6edac9e92e752411ac1cb918b238702b8845273ffffffffffffffffffffffffffffffffffffffff8816604084015260ff8916606084015267ffffffffffffffff8a1660808401528a60a084015267ffffffffffffffff871660c084015260e083015260e0825261052d61010083610d70565b60e4359260c43592519020611214565b6116e1565b346101195760406003193601126101195761055b610ca6565b73ffffffffffffffffffffffffffffffffffffffff610578610c83565b91165f52600360205273ffffffffffffffffffffffffffffffffffffffff60405f2091165f52602052608060405f20604051906105b482610d54565b6040815492600167ffffffffffffffff60ff86169586845260081c1693846020840152015491829101528215159182610601575b6040519384526020840152604083015215156060820152f35b42811192506105e8565b3461011957604060031936011261011957610117610627610ca6565b6024359033906114ec565b346101195760a0600319360112610119576004356024356106aa610654610cec565b60405160208101917f0c029c724e366d58797151888d0d3a2c950e7f67016ae4f41403fd4d0977396e835285604083015284606083015267ffffffffffffffff81166080830152608082526101ed60a083610d70565b825f52600160205260405f20604051906106c382610d54565b5473ffffffffffffffffffffffffffffffffffffffff8116825267ffffffffffffffff8160a01c1690602083019180835260ff604085019260e01c16151582521561088d5751610861575167ffffffffffffffff164281111561083257505173ffffffffffffffffffffffffffffffffffffffff918216911681036108075750604051602081019083825282604082015260408152610763606082610d70565b519020805f52600560205260ff60405f2054166107db577f629a6ad8cdd00d5cd6ad714e675d077a2d1adc9872170c7c5a0732fb2032c0b9916020915f526005825260405f2060017fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff00825416179055604051908152a2005b507f81bffc99000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b7f4a0bfec1000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b847f80137092000000000000000000000000000000000000000000000000000000005f5260045260245260445ffd5b847f8b37d1b7000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b857f90750d19000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b346101195760406003193601126101195760206108d4610ca6565b6040805173ffffffffffffffffffffffffffffffffffffffff9092168383019081526024356020820152919061090d90829084016102ad565b519020604051908152f35b34610119576040600319360112610119576040516020810190600435825260243560408201526040815261094d606082610d70565b5190205f526005602052602060ff60405f2054166040519015158152f35b3461011957604060031936011261011957610984610ca6565b6040516109c0816102ad602082019460243590866020909392919373ffffffffffffffffffffffffffffffffffffffff60408201951681520152565b5190205f5260016020526020610a1e60405f2060ff604051916109e283610d54565b5473ffffffffffffffffffffffffffffffffffffffff8116835267ffffffffffffffff8160a01c168584015260e01c16151560408201526116bc565b6040519015158152f35b3461011957608060031936011261011957610117610a44610ca6565b610a4c610d44565b610a54610cec565b9060643592336116e1565b3461011957604060031936011261011957610117610a7b610d31565b60043533611362565b346101195760406003193601126101195760a073ffffffffffffffffffffffffffffffffffffffff67ffffffffffffffff610ac9610ac0610ca6565b60243590610db1565b94928660409792959751971687521660208601521660408401521515606083015215156080820152f35b346101195760a060031936011261011957610117610b0f610ca6565b60243590610b8a610b1e610cec565b60405160208101917fed38bf4eec6af9f93f65d49a0d4f5d8c3d73cb6718156ea9ff2fe526aec2b55a835273ffffffffffffffffffffffffffffffffffffffff8516604083015285606083015267ffffffffffffffff81166080830152608082526101ed60a083610d70565b906114ec565b346101195760a060031936011261011957610117600435610baf610d31565b90610c17610bbb610cec565b60405160208101917f9feb529ca0eb83c19cd672111ec2db54686fdd2431a57dc60ed8fe1fe9789bd5835284604083015263ffffffff8616606083015267ffffffffffffffff81166080830152608082526101ed60a083610d70565b611362565b3461011957608060031936011261011957610117610c38610ca6565b610c40610cc9565b610c48610d03565b91602435903390610fae565b3461011957606060031936011261011957610117610c70610c83565b610c78610cec565b906004353333610fae565b6024359073ffffffffffffffffffffffffffffffffffffffff8216820361011957565b6004359073ffffffffffffffffffffffffffffffffffffffff8216820361011957565b6044359073ffffffffffffffffffffffffffffffffffffffff8216820361011957565b6044359067ffffffffffffffff8216820361011957565b6064359067ffffffffffffffff8216820361011957565b6084359067ffffffffffffffff8216820361011957565b6024359063ffffffff8216820361011957565b6024359060ff8216820361011957565b6060810190811067ffffffffffffffff82111761033257604052565b90601f7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe0910116810190811067ffffffffffffffff82111761033257604052565b6040805173ffffffffffffffffffffffffffffffffffffffff83166020820190815291810193909352909291610dea81606081016102ad565b51902091825f52600160205260405f209060405191610e0883610d54565b549273ffffffffffffffffffffffffffffffffffffffff8416835267ffffffffffffffff8460a01c1694602084019580875260ff604086019660e01c161515865215610eba575f52600260205273ffffffffffffffffffffffffffffffffffffffff60405f205416918215610eb2575b50610eaa67ffffffffffffffff73ffffffffffffffffffffffffffffffffffffffff85511696511694511515936116bc565b919493929190565b91505f610e78565b505f94508493508392508291508190565b467f000000000000000000000000000000000000000000000000000000000000000003610f16577f000000000000000000000000000000000000000000000000000000000000000090565b60405160208101907f8b73c3c69bb8fe3d512ecc4cf759cc79239f7b179b0ffacaa9a75d522b39400f82527f5895d06303e2f562be165e846447335597fe3240aca61600c9bd7150778083f060408201527fc89efdaa54c0f20c7adf612882df0950f5a951637e0307cdcb4c672f298b8bc660608201524660808201523060a082015260a08152610fa860c082610d70565b51902090565b90919273ffffffffffffffffffffffffffffffffffffffff806040516020810190611001816102ad8a89866020909392919373ffffffffffffffffffffffffffffffffffffffff60408201951681520152565b519020931693169483860361112e575b67ffffffffffffffff81169242841115611102575f52600160205260405f209167ffffffffffffffff835460a01c166110d65782547fffffffff000000000000000000000000000000000000000000000000000000001673ffffffffffffffffffffffffffffffffffffffff9091161760a09190911b7bffffffffffffffff0000000000000000000000000000000000000000161790556040519081527fdf182d990f7f8003ceb999337989739a260c3ba979ee4e2035e1cb77fdbedae090602090a4565b857fc9a8eb28000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b837f115d3d42000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b835f52600360205260405f20865f5260205260405f2054600281161580156111fd575b6111d15767ffffffffffffffff8083169160081c1681116111a65750825f52600260205260405f20867fffffffffffffffffffffffff0000000000000000000000000000000000000000825416179055611011565b7f115d3d42000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b867f4a0bfec1000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b504267ffffffffffffffff8260081c161115611151565b91929067ffffffffffffffff168042116113375750611231610ecb565b7f7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff8216917f7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a083116112e25760ff1c91601b830180931161130a576020945f94608094604051946119018652888601908152604086019283526042601e87012086525252606082015282805260015afa505f519073ffffffffffffffffffffffffffffffffffffffff8216156112e257565b7f5cd5d233000000000000000000000000000000000000000000000000000000005f5260045ffd5b7f4e487b71000000000000000000000000000000000000000000000000000000005f52601160045260245ffd5b7f95693653000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b91909182156114c45763ffffffff821691821561149c576040805173ffffffffffffffffffffffffffffffffffffffff8416602082019081529181018690526113ae81606081016102ad565b5190205f525f60205260405f209067ffffffffffffffff8254166114565781547fffffffffffffffffffffffffffffffffffffffff000000000000000000000000164267ffffffffffffffff1617604091821b6bffffffff000000000000000016179091555191825273ffffffffffffffffffffffffffffffffffffffff16907fa289f0e4771d734d0565eec23b8b4014bbb249ede5e478e2aac2897cb87a377a90602090a3565b73ffffffffffffffffffffffffffffffffffffffff83867f6ef861d0000000000000000000000000000000000000000000000000000000005f526004521660245260445ffd5b7fc2e5347d000000000000000000000000000000000000000000000000000000005f5260045ffd5b7f53ce4ece000000000000000000000000000000000000000000000000000000005f5260045ffd5b6040805173ffffffffffffffffffffffffffffffffffffffff8316602082019081529181018590529193929161152581606081016102ad565b51902092835f52600160205260405f209081549067ffffffffffffffff8260a01c16156116905760ff8260e01c166108615773ffffffffffffffffffffffffffffffffffffffff80911693169483861415908161164a575b8161161d575b506115f1577fffffff00ffffffffffffffffffffffffffffffffffffffffffffffffffffffff167c01000000000000000000000000000000000000000000000000000000001790557f7a74d0ce7fec92605c4e2f6daaecf62bcbb7bebc7f21f5df58473d92d3f223f95f80a4565b847f4a0bfec1000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b90505f5260026020528473ffffffffffffffffffffffffffffffffffffffff60405f20541614155f611583565b9050835f52600360205260405f20865f5260205260405f20546004811615159081611678575b50159061157d565b905067ffffffffffffffff429160081c16115f611670565b847f90750d19000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b67ffffffffffffffff602082015116421090816116d7575090565b6040915001511590565b9293919073ffffffffffffffffffffffffffffffffffffffff1693841580156118b7575b61188b5760ff821691821590811561187e575b506118525767ffffffffffffffff1690428211156118265782156117fe577f1a9ebadd269f9e1b24a07b7b90be3432cc170df4ca3fe5f3b02debdf6fc18e5b9260609260405161176781610d54565b8381526001602082019783895273ffffffffffffffffffffffffffffffffffffffff60408401918683521698895f52600360205260405f208b5f5260205260ff60405f209451167fffffffffffffffffffffffffffffffffffffffffffffff00000000000000000068ffffffffffffffff008654935160081b169216171783555191015560405192835260208301526040820152a3565b7fe5e47d04000000000000000000000000000000000000000000000000000000005f5260045ffd5b507f115d3d42000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b507f40912823000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b60f891501615155f611718565b847ff4c1e540000000000000000000000000000000000000000000000000000000005f5260045260245ffd5b5073ffffffffffffffffffffffffffffffffffffffff84168514611705565b73ffffffffffffffffffffffffffffffffffffffff1690815f52600460205267ffffffffffffffff8060405f205416911681810361196157506001019067ffffffffffffffff821161130a575f52600460205267ffffffffffffffff60405f2091167fffffffffffffffffffffffffffffffffffffffffffffffff0000000000000000825416179055565b907fa4c98472000000000000000000000000000000000000000000000000000000005f5260045260245260445ffd5b73ffffffffffffffffffffffffffffffffffffffff1690815f52600360205260405f2073ffffffffffffffffffffffffffffffffffffffff82165f5260205260ff60405f20541615611a3a5773ffffffffffffffffffffffffffffffffffffffff90825f52600360205260405f208282165f526020525f600160408220828155015516907f76e6646868d096078ac7f3f1401c3aaa55dc84890ec74b99c699e4754714b18e5f80a3565b73ffffffffffffffffffffffffffffffffffffffff917f68df9e0d000000000000000000000000000000000000000000000000000000005f526004521660245260445ffdfea164736f6c6343000825000a",
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

// PackAccessLogged is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x869f0887.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function accessLogged(bytes32 grantKey, bytes32 entry) view returns(bool)
func (healthRegistry *HealthRegistry) PackAccessLogged(grantKey [32]byte, entry [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("accessLogged", grantKey, entry)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAccessLogged is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x869f0887.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function accessLogged(bytes32 grantKey, bytes32 entry) view returns(bool)
func (healthRegistry *HealthRegistry) TryPackAccessLogged(grantKey [32]byte, entry [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("accessLogged", grantKey, entry)
}

// UnpackAccessLogged is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x869f0887.
//
// Solidity: function accessLogged(bytes32 grantKey, bytes32 entry) view returns(bool)
func (healthRegistry *HealthRegistry) UnpackAccessLogged(data []byte) (bool, error) {
	out, err := healthRegistry.abi.Unpack("accessLogged", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
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
// the contract method with ID 0xecbe7ca5.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchorOf(address patient, bytes32 root) view returns(uint64 anchoredAt, uint32 count)
func (healthRegistry *HealthRegistry) PackAnchorOf(patient common.Address, root [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("anchorOf", patient, root)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchorOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xecbe7ca5.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchorOf(address patient, bytes32 root) view returns(uint64 anchoredAt, uint32 count)
func (healthRegistry *HealthRegistry) TryPackAnchorOf(patient common.Address, root [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("anchorOf", patient, root)
}

// AnchorOfOutput serves as a container for the return parameters of contract
// method AnchorOf.
type AnchorOfOutput struct {
	AnchoredAt uint64
	Count      uint32
}

// UnpackAnchorOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xecbe7ca5.
//
// Solidity: function anchorOf(address patient, bytes32 root) view returns(uint64 anchoredAt, uint32 count)
func (healthRegistry *HealthRegistry) UnpackAnchorOf(data []byte) (AnchorOfOutput, error) {
	out, err := healthRegistry.abi.Unpack("anchorOf", data)
	outstruct := new(AnchorOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.AnchoredAt = *abi.ConvertType(out[0], new(uint64)).(*uint64)
	outstruct.Count = *abi.ConvertType(out[1], new(uint32)).(*uint32)
	return *outstruct, nil
}

// PackAnchorSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3381a440.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function anchorSigned(bytes32 root, uint32 count, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) PackAnchorSigned(root [32]byte, count uint32, deadline uint64, r [32]byte, vs [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("anchorSigned", root, count, deadline, r, vs)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAnchorSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x3381a440.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function anchorSigned(bytes32 root, uint32 count, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) TryPackAnchorSigned(root [32]byte, count uint32, deadline uint64, r [32]byte, vs [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("anchorSigned", root, count, deadline, r, vs)
}

// PackDelegateOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb5f783a8.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function delegateOf(address patient, address delegate) view returns(uint8 rights, uint64 expiry, bytes32 scope, bool active)
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
// Solidity: function delegateOf(address patient, address delegate) view returns(uint8 rights, uint64 expiry, bytes32 scope, bool active)
func (healthRegistry *HealthRegistry) TryPackDelegateOf(patient common.Address, delegate common.Address) ([]byte, error) {
	return healthRegistry.abi.Pack("delegateOf", patient, delegate)
}

// DelegateOfOutput serves as a container for the return parameters of contract
// method DelegateOf.
type DelegateOfOutput struct {
	Rights uint8
	Expiry uint64
	Scope  [32]byte
	Active bool
}

// UnpackDelegateOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xb5f783a8.
//
// Solidity: function delegateOf(address patient, address delegate) view returns(uint8 rights, uint64 expiry, bytes32 scope, bool active)
func (healthRegistry *HealthRegistry) UnpackDelegateOf(data []byte) (DelegateOfOutput, error) {
	out, err := healthRegistry.abi.Unpack("delegateOf", data)
	outstruct := new(DelegateOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Rights = *abi.ConvertType(out[0], new(uint8)).(*uint8)
	outstruct.Expiry = *abi.ConvertType(out[1], new(uint64)).(*uint64)
	outstruct.Scope = *abi.ConvertType(out[2], new([32]byte)).(*[32]byte)
	outstruct.Active = *abi.ConvertType(out[3], new(bool)).(*bool)
	return *outstruct, nil
}

// PackDomainSeparator is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf698da25.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function domainSeparator() view returns(bytes32)
func (healthRegistry *HealthRegistry) PackDomainSeparator() []byte {
	enc, err := healthRegistry.abi.Pack("domainSeparator")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDomainSeparator is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xf698da25.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function domainSeparator() view returns(bytes32)
func (healthRegistry *HealthRegistry) TryPackDomainSeparator() ([]byte, error) {
	return healthRegistry.abi.Pack("domainSeparator")
}

// UnpackDomainSeparator is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xf698da25.
//
// Solidity: function domainSeparator() view returns(bytes32)
func (healthRegistry *HealthRegistry) UnpackDomainSeparator(data []byte) ([32]byte, error) {
	out, err := healthRegistry.abi.Unpack("domainSeparator", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantKeyOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8ea99902.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantKeyOf(address patient, bytes32 digest) pure returns(bytes32)
func (healthRegistry *HealthRegistry) PackGrantKeyOf(patient common.Address, digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("grantKeyOf", patient, digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantKeyOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x8ea99902.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantKeyOf(address patient, bytes32 digest) pure returns(bytes32)
func (healthRegistry *HealthRegistry) TryPackGrantKeyOf(patient common.Address, digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("grantKeyOf", patient, digest)
}

// UnpackGrantKeyOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x8ea99902.
//
// Solidity: function grantKeyOf(address patient, bytes32 digest) pure returns(bytes32)
func (healthRegistry *HealthRegistry) UnpackGrantKeyOf(data []byte) ([32]byte, error) {
	out, err := healthRegistry.abi.Unpack("grantKeyOf", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x46356be6.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantOf(address patient, bytes32 digest) view returns(address issuer, address accessKey, uint64 expiry, bool revoked, bool active)
func (healthRegistry *HealthRegistry) PackGrantOf(patient common.Address, digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("grantOf", patient, digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x46356be6.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantOf(address patient, bytes32 digest) view returns(address issuer, address accessKey, uint64 expiry, bool revoked, bool active)
func (healthRegistry *HealthRegistry) TryPackGrantOf(patient common.Address, digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("grantOf", patient, digest)
}

// GrantOfOutput serves as a container for the return parameters of contract
// method GrantOf.
type GrantOfOutput struct {
	Issuer    common.Address
	AccessKey common.Address
	Expiry    uint64
	Revoked   bool
	Active    bool
}

// UnpackGrantOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x46356be6.
//
// Solidity: function grantOf(address patient, bytes32 digest) view returns(address issuer, address accessKey, uint64 expiry, bool revoked, bool active)
func (healthRegistry *HealthRegistry) UnpackGrantOf(data []byte) (GrantOfOutput, error) {
	out, err := healthRegistry.abi.Unpack("grantOf", data)
	outstruct := new(GrantOfOutput)
	if err != nil {
		return *outstruct, err
	}
	outstruct.Issuer = *abi.ConvertType(out[0], new(common.Address)).(*common.Address)
	outstruct.AccessKey = *abi.ConvertType(out[1], new(common.Address)).(*common.Address)
	outstruct.Expiry = *abi.ConvertType(out[2], new(uint64)).(*uint64)
	outstruct.Revoked = *abi.ConvertType(out[3], new(bool)).(*bool)
	outstruct.Active = *abi.ConvertType(out[4], new(bool)).(*bool)
	return *outstruct, nil
}

// PackIsGrantActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7a66f8fc.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function isGrantActive(address patient, bytes32 digest) view returns(bool)
func (healthRegistry *HealthRegistry) PackIsGrantActive(patient common.Address, digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("isGrantActive", patient, digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIsGrantActive is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x7a66f8fc.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function isGrantActive(address patient, bytes32 digest) view returns(bool)
func (healthRegistry *HealthRegistry) TryPackIsGrantActive(patient common.Address, digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("isGrantActive", patient, digest)
}

// UnpackIsGrantActive is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x7a66f8fc.
//
// Solidity: function isGrantActive(address patient, bytes32 digest) view returns(bool)
func (healthRegistry *HealthRegistry) UnpackIsGrantActive(data []byte) (bool, error) {
	out, err := healthRegistry.abi.Unpack("isGrantActive", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackIssueGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06b14a75.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function issueGrant(bytes32 digest, address accessKey, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) PackIssueGrant(digest [32]byte, accessKey common.Address, expiry uint64) []byte {
	enc, err := healthRegistry.abi.Pack("issueGrant", digest, accessKey, expiry)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIssueGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x06b14a75.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function issueGrant(bytes32 digest, address accessKey, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) TryPackIssueGrant(digest [32]byte, accessKey common.Address, expiry uint64) ([]byte, error) {
	return healthRegistry.abi.Pack("issueGrant", digest, accessKey, expiry)
}

// PackIssueGrantFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f88bc28.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function issueGrantFor(address patient, bytes32 digest, address accessKey, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) PackIssueGrantFor(patient common.Address, digest [32]byte, accessKey common.Address, expiry uint64) []byte {
	enc, err := healthRegistry.abi.Pack("issueGrantFor", patient, digest, accessKey, expiry)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIssueGrantFor is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f88bc28.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function issueGrantFor(address patient, bytes32 digest, address accessKey, uint64 expiry) returns()
func (healthRegistry *HealthRegistry) TryPackIssueGrantFor(patient common.Address, digest [32]byte, accessKey common.Address, expiry uint64) ([]byte, error) {
	return healthRegistry.abi.Pack("issueGrantFor", patient, digest, accessKey, expiry)
}

// PackIssueGrantSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe3f80939.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function issueGrantSigned(address patient, bytes32 digest, address accessKey, uint64 expiry, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) PackIssueGrantSigned(patient common.Address, digest [32]byte, accessKey common.Address, expiry uint64, deadline uint64, r [32]byte, vs [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("issueGrantSigned", patient, digest, accessKey, expiry, deadline, r, vs)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackIssueGrantSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xe3f80939.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function issueGrantSigned(address patient, bytes32 digest, address accessKey, uint64 expiry, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) TryPackIssueGrantSigned(patient common.Address, digest [32]byte, accessKey common.Address, expiry uint64, deadline uint64, r [32]byte, vs [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("issueGrantSigned", patient, digest, accessKey, expiry, deadline, r, vs)
}

// PackLogAccess is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xafec26e4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function logAccess(bytes32 grantKey, bytes32 entry, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) PackLogAccess(grantKey [32]byte, entry [32]byte, deadline uint64, r [32]byte, vs [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("logAccess", grantKey, entry, deadline, r, vs)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackLogAccess is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xafec26e4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function logAccess(bytes32 grantKey, bytes32 entry, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) TryPackLogAccess(grantKey [32]byte, entry [32]byte, deadline uint64, r [32]byte, vs [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("logAccess", grantKey, entry, deadline, r, vs)
}

// PackNonceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xed2a2d64.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function nonceOf(address patient) view returns(uint64)
func (healthRegistry *HealthRegistry) PackNonceOf(patient common.Address) []byte {
	enc, err := healthRegistry.abi.Pack("nonceOf", patient)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackNonceOf is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xed2a2d64.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function nonceOf(address patient) view returns(uint64)
func (healthRegistry *HealthRegistry) TryPackNonceOf(patient common.Address) ([]byte, error) {
	return healthRegistry.abi.Pack("nonceOf", patient)
}

// UnpackNonceOf is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xed2a2d64.
//
// Solidity: function nonceOf(address patient) view returns(uint64)
func (healthRegistry *HealthRegistry) UnpackNonceOf(data []byte) (uint64, error) {
	out, err := healthRegistry.abi.Unpack("nonceOf", data)
	if err != nil {
		return *new(uint64), err
	}
	out0 := *abi.ConvertType(out[0], new(uint64)).(*uint64)
	return out0, nil
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

// PackRevokeDelegateSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xeded5b69.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeDelegateSigned(address delegate, uint64 nonce, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) PackRevokeDelegateSigned(delegate common.Address, nonce uint64, deadline uint64, r [32]byte, vs [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("revokeDelegateSigned", delegate, nonce, deadline, r, vs)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeDelegateSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xeded5b69.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeDelegateSigned(address delegate, uint64 nonce, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) TryPackRevokeDelegateSigned(delegate common.Address, nonce uint64, deadline uint64, r [32]byte, vs [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("revokeDelegateSigned", delegate, nonce, deadline, r, vs)
}

// PackRevokeGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb237cb08.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeGrant(address patient, bytes32 digest) returns()
func (healthRegistry *HealthRegistry) PackRevokeGrant(patient common.Address, digest [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("revokeGrant", patient, digest)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeGrant is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xb237cb08.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeGrant(address patient, bytes32 digest) returns()
func (healthRegistry *HealthRegistry) TryPackRevokeGrant(patient common.Address, digest [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("revokeGrant", patient, digest)
}

// PackRevokeGrantSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40e8c260.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeGrantSigned(address patient, bytes32 digest, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) PackRevokeGrantSigned(patient common.Address, digest [32]byte, deadline uint64, r [32]byte, vs [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("revokeGrantSigned", patient, digest, deadline, r, vs)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeGrantSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x40e8c260.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeGrantSigned(address patient, bytes32 digest, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) TryPackRevokeGrantSigned(patient common.Address, digest [32]byte, deadline uint64, r [32]byte, vs [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("revokeGrantSigned", patient, digest, deadline, r, vs)
}

// PackSetDelegate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6b0115c4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setDelegate(address delegate, uint8 rights, uint64 expiry, bytes32 scope) returns()
func (healthRegistry *HealthRegistry) PackSetDelegate(delegate common.Address, rights uint8, expiry uint64, scope [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("setDelegate", delegate, rights, expiry, scope)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetDelegate is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6b0115c4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setDelegate(address delegate, uint8 rights, uint64 expiry, bytes32 scope) returns()
func (healthRegistry *HealthRegistry) TryPackSetDelegate(delegate common.Address, rights uint8, expiry uint64, scope [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("setDelegate", delegate, rights, expiry, scope)
}

// PackSetDelegateSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd9c396a8.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function setDelegateSigned(address delegate, uint8 rights, uint64 expiry, bytes32 scope, uint64 nonce, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) PackSetDelegateSigned(delegate common.Address, rights uint8, expiry uint64, scope [32]byte, nonce uint64, deadline uint64, r [32]byte, vs [32]byte) []byte {
	enc, err := healthRegistry.abi.Pack("setDelegateSigned", delegate, rights, expiry, scope, nonce, deadline, r, vs)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSetDelegateSigned is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd9c396a8.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function setDelegateSigned(address delegate, uint8 rights, uint64 expiry, bytes32 scope, uint64 nonce, uint64 deadline, bytes32 r, bytes32 vs) returns()
func (healthRegistry *HealthRegistry) TryPackSetDelegateSigned(delegate common.Address, rights uint8, expiry uint64, scope [32]byte, nonce uint64, deadline uint64, r [32]byte, vs [32]byte) ([]byte, error) {
	return healthRegistry.abi.Pack("setDelegateSigned", delegate, rights, expiry, scope, nonce, deadline, r, vs)
}

// HealthRegistryAccessLogged represents a AccessLogged event raised by the HealthRegistry contract.
type HealthRegistryAccessLogged struct {
	GrantKey [32]byte
	Entry    [32]byte
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
// Solidity: event AccessLogged(bytes32 indexed grantKey, bytes32 entry)
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
	Scope    [32]byte
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
// Solidity: event DelegateSet(address indexed patient, address indexed delegate, uint8 rights, uint64 expiry, bytes32 scope)
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
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["AccessAlreadyLogged"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackAccessAlreadyLoggedError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["AlreadyAnchored"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackAlreadyAnchoredError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadDelegate"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadDelegateError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadExpiry"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadExpiryError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadNonce"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadNonceError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadRights"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadRightsError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadScope"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadScopeError(raw[4:])
	}
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["BadSignature"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackBadSignatureError(raw[4:])
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
	if bytes.Equal(raw[:4], healthRegistry.abi.Errors["Expired"].ID.Bytes()[:4]) {
		return healthRegistry.UnpackExpiredError(raw[4:])
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

// HealthRegistryAccessAlreadyLogged represents a AccessAlreadyLogged error raised by the HealthRegistry contract.
type HealthRegistryAccessAlreadyLogged struct {
	Entry [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessAlreadyLogged(bytes32 entry)
func HealthRegistryAccessAlreadyLoggedErrorID() common.Hash {
	return common.HexToHash("0x81bffc99626b8ce75aca40f1ce4f7158b0049c31f7fb72757b64a588f28a4195")
}

// UnpackAccessAlreadyLoggedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessAlreadyLogged(bytes32 entry)
func (healthRegistry *HealthRegistry) UnpackAccessAlreadyLoggedError(raw []byte) (*HealthRegistryAccessAlreadyLogged, error) {
	out := new(HealthRegistryAccessAlreadyLogged)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "AccessAlreadyLogged", raw); err != nil {
		return nil, err
	}
	return out, nil
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

// HealthRegistryBadNonce represents a BadNonce error raised by the HealthRegistry contract.
type HealthRegistryBadNonce struct {
	Expected uint64
	Got      uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadNonce(uint64 expected, uint64 got)
func HealthRegistryBadNonceErrorID() common.Hash {
	return common.HexToHash("0xa4c984729944d3e402f5330ff7bf5d3d990f167a14e97c04a73306124326b1a1")
}

// UnpackBadNonceError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadNonce(uint64 expected, uint64 got)
func (healthRegistry *HealthRegistry) UnpackBadNonceError(raw []byte) (*HealthRegistryBadNonce, error) {
	out := new(HealthRegistryBadNonce)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "BadNonce", raw); err != nil {
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

// HealthRegistryBadScope represents a BadScope error raised by the HealthRegistry contract.
type HealthRegistryBadScope struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadScope()
func HealthRegistryBadScopeErrorID() common.Hash {
	return common.HexToHash("0xe5e47d041069fefdc3e34614fb1d28c5512af6dd19eca1895e27bce0aebcb400")
}

// UnpackBadScopeError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadScope()
func (healthRegistry *HealthRegistry) UnpackBadScopeError(raw []byte) (*HealthRegistryBadScope, error) {
	out := new(HealthRegistryBadScope)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "BadScope", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// HealthRegistryBadSignature represents a BadSignature error raised by the HealthRegistry contract.
type HealthRegistryBadSignature struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BadSignature()
func HealthRegistryBadSignatureErrorID() common.Hash {
	return common.HexToHash("0x5cd5d2335541c4f2ed05fbe44f397e8b79f8e2333157122d2dab06e378ef7685")
}

// UnpackBadSignatureError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BadSignature()
func (healthRegistry *HealthRegistry) UnpackBadSignatureError(raw []byte) (*HealthRegistryBadSignature, error) {
	out := new(HealthRegistryBadSignature)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "BadSignature", raw); err != nil {
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

// HealthRegistryExpired represents a Expired error raised by the HealthRegistry contract.
type HealthRegistryExpired struct {
	Deadline uint64
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error Expired(uint64 deadline)
func HealthRegistryExpiredErrorID() common.Hash {
	return common.HexToHash("0x956936532b954ff74e062815c0174f8bd1500115ed3dd2adb3c66e2ac6109668")
}

// UnpackExpiredError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error Expired(uint64 deadline)
func (healthRegistry *HealthRegistry) UnpackExpiredError(raw []byte) (*HealthRegistryExpired, error) {
	out := new(HealthRegistryExpired)
	if err := healthRegistry.abi.UnpackIntoInterface(out, "Expired", raw); err != nil {
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
