package ccda

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// systemURIs map the OIDs of code systems C-CDA uses to FHIR system URIs.
var systemURIs = map[string]string{
	"2.16.840.1.113883.6.1":      "http://loinc.org",
	"2.16.840.1.113883.6.96":     "http://snomed.info/sct",
	"2.16.840.1.113883.6.88":     "http://www.nlm.nih.gov/research/umls/rxnorm",
	"2.16.840.1.113883.12.292":   "http://hl7.org/fhir/sid/cvx",
	"2.16.840.1.113883.6.59":     "http://hl7.org/fhir/sid/cvx", // CVX's older OID (CCD 1.0)
	"2.16.840.1.113883.6.90":     "http://hl7.org/fhir/sid/icd-10-cm",
	"2.16.840.1.113883.6.103":    "http://hl7.org/fhir/sid/icd-9-cm",
	"2.16.840.1.113883.6.69":     "http://hl7.org/fhir/sid/ndc",
	"2.16.840.1.113883.6.8":      "http://unitsofmeasure.org",
	"2.16.840.1.113883.6.12":     "http://www.ama-assn.org/go/cpt",
	"2.16.840.1.113883.6.285":    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
	"2.16.840.1.113883.5.1":      "http://terminology.hl7.org/CodeSystem/v3-AdministrativeGender",
	"2.16.840.1.113883.5.4":      "http://terminology.hl7.org/CodeSystem/v3-ActCode",
	"2.16.840.1.113883.5.83":     "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
	"2.16.840.1.113883.5.111":    "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
	"2.16.840.1.113883.5.112":    "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration",
	"2.16.840.1.113883.3.26.1.1": "http://ncithesaurus-stage.nci.nih.gov",
	"2.16.840.1.113883.6.238":    "urn:oid:2.16.840.1.113883.6.238", // CDC race and ethnicity
	"2.16.840.1.113883.4.9":      "http://fdasis.nlm.nih.gov",       // UNII
	"2.16.840.1.113883.6.259":    "https://www.cdc.gov/nhsn/cdaportal/terminology/codesystem/hsloc.html",
	"2.16.840.1.113883.6.5":      "http://snomed.info/sct", // SNOMED's older OID
	"2.16.840.1.113883.6.4":      "http://www.cms.gov/Medicare/Coding/ICD10",
	"2.16.840.1.113883.6.104":    "http://hl7.org/fhir/sid/icd-9-cm",
	"2.16.840.1.113883.6.101":    "http://nucc.org/provider-taxonomy",
	"2.16.840.1.113883.6.13":     "http://ada.org/cdt",
	"2.16.840.1.113883.12.227":   "http://hl7.org/fhir/sid/mvx",
	"2.16.840.1.113883.6.345":    "http://va.gov/terminology/medrt",
	"2.16.840.1.113883.3.26.1.5": "http://hl7.org/fhir/ndfrt",
	"2.16.840.1.113883.5.2":      "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus",
	"2.16.840.1.113883.5.6":      "http://terminology.hl7.org/CodeSystem/v3-ActClass",
	"2.16.840.1.113883.5.7":      "http://terminology.hl7.org/CodeSystem/v3-ActPriority",
	"2.16.840.1.113883.5.8":      "http://terminology.hl7.org/CodeSystem/v3-ActReason",
	"2.16.840.1.113883.5.14":     "http://terminology.hl7.org/CodeSystem/v3-ActStatus",
	"2.16.840.1.113883.5.25":     "http://terminology.hl7.org/CodeSystem/v3-Confidentiality",
	"2.16.840.1.113883.5.1063":   "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
	"2.16.840.1.113883.5.1076":   "http://terminology.hl7.org/CodeSystem/v3-ReligiousAffiliation",
}

// SystemURI is the FHIR system URI of a code system OID: the known ones by
// name, any other as urn:oid:.
func SystemURI(oid string) string {
	if uri, ok := systemURIs[oid]; ok {
		return uri
	}
	if oid == "" {
		return ""
	}
	return "urn:oid:" + oid
}

// stableID makes a resource id from the C-CDA ids of the entry it comes
// from (root and extension), or from parts of its content when it has none.
// The same entry always gets the same id; FHIR ids are at most 64 characters
// of [A-Za-z0-9-.].
func stableID(kind string, ids []*node, fallback ...string) string {
	h := sha256.New()
	h.Write([]byte(kind))
	usable := false
	for _, id := range ids {
		if id.attr("nullFlavor") != "" || id.attr("root") == "" {
			continue
		}
		usable = true
		h.Write([]byte{0})
		h.Write([]byte(id.attr("root")))
		h.Write([]byte{'^'})
		h.Write([]byte(id.attr("extension")))
	}
	if !usable {
		for _, f := range fallback {
			h.Write([]byte{1})
			h.Write([]byte(f))
		}
	}
	return "ccda-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// codeableConcept turns a CD/CE/CV element (and its translations) into a
// FHIR CodeableConcept, or nil when it holds neither a code nor a text.
func codeableConcept(cd *node) map[string]any {
	if cd == nil {
		return nil
	}
	var codings []any
	add := func(n *node) {
		if n.attr("code") == "" || n.attr("nullFlavor") != "" && n.attr("code") == "" {
			return
		}
		coding := map[string]any{"code": n.attr("code")}
		if s := SystemURI(n.attr("codeSystem")); s != "" {
			coding["system"] = s
		}
		if d := n.attr("displayName"); d != "" {
			coding["display"] = d
		}
		codings = append(codings, coding)
	}
	add(cd)
	for _, t := range cd.all("translation") {
		add(t)
	}
	out := map[string]any{}
	if len(codings) > 0 {
		out["coding"] = codings
	}
	if text := strings.TrimSpace(cd.child("originalText").innerText()); text != "" {
		out["text"] = text
	} else if d := cd.attr("displayName"); d != "" {
		out["text"] = d
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// dateTime turns an HL7 TS value (YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ])
// into a FHIR date or dateTime, "" when it is not one.
func dateTime(ts string) string {
	ts = strings.TrimSpace(ts)
	tz := ""
	if i := strings.IndexAny(ts, "+-"); i > 0 {
		tz, ts = ts[i:], ts[:i]
		if len(tz) == 5 {
			tz = tz[:3] + ":" + tz[3:]
		} else {
			tz = ""
		}
	}
	frac := ""
	if i := strings.IndexByte(ts, '.'); i >= 0 {
		frac, ts = ts[i:], ts[:i]
	}
	for _, r := range ts {
		if r < '0' || r > '9' {
			return ""
		}
	}
	switch len(ts) {
	case 4:
		return ts
	case 6:
		return ts[:4] + "-" + ts[4:6]
	case 8:
		return ts[:4] + "-" + ts[4:6] + "-" + ts[6:8]
	case 10, 12, 14:
		for len(ts) < 14 {
			ts += "0"
		}
		if tz == "" {
			// FHIR needs a zone with a time: keep the day, which is what
			// the document said for certain.
			return ts[:4] + "-" + ts[4:6] + "-" + ts[6:8]
		}
		return ts[:4] + "-" + ts[4:6] + "-" + ts[6:8] + "T" + ts[8:10] + ":" + ts[10:12] + ":" + ts[12:14] + frac + tz
	}
	return ""
}

// effective reads an effectiveTime (TS or IVL_TS): the point in time (its
// value, or the interval's center), or the period's start and end.
func effective(et *node) (point string, start string, end string) {
	if et == nil {
		return "", "", ""
	}
	if v := et.attr("value"); v != "" {
		return dateTime(v), "", ""
	}
	if v := et.child("center").attr("value"); v != "" {
		return dateTime(v), "", ""
	}
	return "", dateTime(et.child("low").attr("value")), dateTime(et.child("high").attr("value"))
}

// quantity turns a PQ into a FHIR Quantity (UCUM when it has a unit), nil
// when it has no numeric value.
func quantity(pq *node) map[string]any {
	v := strings.TrimSpace(pq.attr("value"))
	if v == "" {
		return nil
	}
	num := jsonNumber(v)
	if num == nil {
		return nil
	}
	q := map[string]any{"value": num}
	if u := pq.attr("unit"); u != "" && u != "1" {
		q["unit"] = u
		q["system"] = "http://unitsofmeasure.org"
		q["code"] = u
	}
	return q
}

// identifiers turns id elements into FHIR Identifiers.
func identifiers(ids []*node) []any {
	var out []any
	for _, id := range ids {
		root := id.attr("root")
		if root == "" || id.attr("nullFlavor") != "" {
			continue
		}
		if ext := id.attr("extension"); ext != "" {
			out = append(out, map[string]any{"system": rootURI(root), "value": ext})
		} else {
			out = append(out, map[string]any{"system": "urn:ietf:rfc:3986", "value": rootURI(root)})
		}
	}
	return out
}

// rootURI writes an II root as a URI: a UUID root (C-CDA allows them beside
// OIDs) as urn:uuid: in lower case, as RFC 4122 asks, anything else as urn:oid:.
func rootURI(root string) string {
	if isUUID(root) {
		return "urn:uuid:" + strings.ToLower(root)
	}
	return "urn:oid:" + root
}

// isUUID reports whether s has the 8-4-4-4-12 hexadecimal form of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			isHex := (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
			if !isHex {
				return false
			}
		}
	}
	return true
}
