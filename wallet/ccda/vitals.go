package ccda

import "fmt"

// Vital signs (LOINC 8716-3): each Vital Sign Observation becomes an
// Observation in the "vital-signs" category with its LOINC code and a
// quantity in UCUM units. When one Vital Signs Organizer holds both a
// systolic (8480-6) and a diastolic (8462-4) blood pressure, they become a
// single blood pressure panel (85354-9) with the two as components, as the
// FHIR R4 vital signs profile requires and as the wallet reads blood
// pressure ("120/80 mmHg"); a lone systolic or diastolic stays its own
// Observation.

func init() {
	register("Vital Signs", convertVitals, "8716-3")
}

const (
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
)

func convertVitals(c *converter, s *node) {
	c.eachEntry(s, "a vital sign", func(title string, nar narrativeIndex, n int, st *node) bool {
		switch st.name {
		case "organizer":
			var obs []*node
			for _, comp := range st.all("component") {
				if o := c2Statement(comp); o != nil {
					obs = append(obs, o)
				}
			}
			if len(obs) == 0 {
				c.skip(title, fmt.Sprintf("entry %d: a vital signs group holds no measurement", n))
			}
			c.vitalGroup(title, nar, obs)
		case "observation":
			c.vitalGroup(title, nar, []*node{st})
		default:
			return false
		}
		return true
	})
}

// vitalGroup converts the vital signs measured together, pairing systolic
// and diastolic blood pressure into one panel.
func (c *converter) vitalGroup(title string, nar narrativeIndex, obs []*node) {
	var made []map[string]any
	sys, dia := -1, -1
	nSys, nDia := 0, 0
	for _, o := range obs {
		category, display := "vital-signs", "Vital Signs"
		if !vitalSignCode(o.child("code")) {
			// Synthea writes its lab results (with their values) into the
			// vital signs group too: a LOINC code that is no vital sign is
			// not shown among them.
			category, display = "laboratory", "Laboratory"
		}
		res, why := c.c2Observation(nar, o, category, display)
		if res == nil {
			c.skip(title, "a vital sign was not converted: "+why)
			continue
		}
		switch o.child("code").attr("code") {
		case loincSystolic:
			sys, nSys = len(made), nSys+1
		case loincDiastolic:
			dia, nDia = len(made), nDia+1
		}
		made = append(made, res)
	}
	if nSys == 1 && nDia == 1 {
		panel := bloodPressurePanel(made[sys], made[dia])
		c.emit(panel)
		made[sys], made[dia] = nil, nil
	}
	for _, res := range made {
		if res != nil {
			c.emit(res)
		}
	}
}

// vitalLOINC are the LOINC codes of vital signs: those of the FHIR vital
// signs profile and the ones C-CDA's vital sign value set adds.
var vitalLOINC = map[string]bool{
	"85353-1": true, "9279-1": true, "8867-4": true, "2708-6": true, "59408-5": true,
	"8310-5": true, "8331-1": true, "8302-2": true, "8306-3": true, "8308-9": true,
	"3137-7": true, "9843-4": true, "8287-5": true, "29463-7": true, "3141-9": true,
	"3142-7": true, "39156-5": true, "85354-9": true, "8480-6": true, "8462-4": true,
	"8478-0": true, "59576-9": true, "8289-1": true, "77606-2": true, "3150-0": true,
	"3151-8": true, "72514-3": true, "2710-2": true,
}

// vitalSignCode reports whether an observation's code may be a vital sign:
// a vital sign LOINC code among its codings, or no LOINC code at all (older
// documents code vital signs in SNOMED CT).
func vitalSignCode(code *node) bool {
	loinc := false
	for _, n := range append([]*node{code}, code.all("translation")...) {
		if n.attr("codeSystem") != "2.16.840.1.113883.6.1" {
			continue
		}
		if vitalLOINC[n.attr("code")] {
			return true
		}
		loinc = true
	}
	return !loinc
}

// bloodPressurePanel makes one 85354-9 Observation of a systolic and a
// diastolic measurement, each a component; its id comes from theirs.
func bloodPressurePanel(sys, dia map[string]any) map[string]any {
	sysID, _ := sys["id"].(string)
	diaID, _ := dia["id"].(string)
	panel := map[string]any{
		"resourceType": "Observation",
		"id":           stableID("Observation|85354-9", nil, sysID, diaID),
		"status":       sys["status"],
		"category":     sys["category"],
		"code":         loincConcept("85354-9", "Blood pressure panel with all children optional"),
		"component":    []any{bloodPressureComponent(sys), bloodPressureComponent(dia)},
	}
	panel["code"].(map[string]any)["text"] = "Blood pressure"
	for _, k := range []string{"subject", "effectiveDateTime", "effectivePeriod", "identifier"} {
		if v, ok := sys[k]; ok {
			panel[k] = v
		}
	}
	return panel
}

// bloodPressureComponent is an Observation.component of one measurement.
func bloodPressureComponent(obs map[string]any) map[string]any {
	comp := map[string]any{}
	for _, k := range []string{"code", "valueQuantity", "valueString", "valueCodeableConcept", "dataAbsentReason", "interpretation", "referenceRange"} {
		if v, ok := obs[k]; ok {
			comp[k] = v
		}
	}
	return comp
}
