package share_test

import (
	"fmt"
	"time"

	"healthwallet/wallet/share"
)

// Reading a link as a scanner hands it over: viewer prefix, trailing newline.
func ExampleParseLink() {
	link, err := share.ParseLink("https://viewer.example.org#shlink:/eyJ1cmwiOiJodHRwczovL2Voci5leGFtcGxlLm9yZy9xci9ZOXh3a1VkdG1OOXd3b0pvTjNmZkpJaFgyVUd2Q0wxSm5sUFZOTDNrRFdNL20iLCJmbGFnIjoiTFAiLCJrZXkiOiJyeFRnWWxPYUtKUEZ0Y0VkMHFjY2VOOHdFVTRwOTRTcUF3SVdRZTZ1WDdRIiwibGFiZWwiOiJCYWNrLXRvLXNjaG9vbCBpbW11bml6YXRpb25zIGZvciBPbGl2ZXIgQnJvd24ifQ\n")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(link.Label)
	fmt.Println(link.URL)
	fmt.Println("needs a passcode:", link.Has(share.FlagPasscode))
	// Output:
	// Back-to-school immunizations for Oliver Brown
	// https://ehr.example.org/qr/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM/m
	// needs a passcode: true
}

// Making a link to hand out: Check keeps it within the spec and small
// enough for a QR code.
func ExampleLink_Check() {
	key, _ := share.NewKey()
	link := share.Link{
		URL:   "https://relay.example/shl/I91rhba3VsuGXGchcnr6VHlQFKxfE28kuZ0ssbEuxno",
		Key:   key,
		Exp:   time.Now().Add(time.Hour),
		Flags: "PU",
	}
	fmt.Println(link.Check())
	link.Flags = "P"
	fmt.Println(link.Check())
	// Output:
	// not a valid SMART Health Link: flag: P (passcode) and U (direct file) cannot be combined
	// <nil>
}

func ExamplePurposeHash() {
	h, _ := share.PurposeHash("TREAT")
	fmt.Println(h.Hex())
	_, err := share.PurposeHash("MARKETING")
	fmt.Println(err != nil)
	// Output:
	// 0xc085ab1d5f807c39e10996a170e44b2cf9afeabb5ad807b90906bc0eca27ac97
	// true
}
