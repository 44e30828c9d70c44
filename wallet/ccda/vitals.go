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
	title := c2SectionTitle(s)
	for i, entry := range s.all("entry") {
		st := c2Statement(entry)
		switch {
		case st == nil:
			c.skip(title, fmt.Sprintf("entry %d is empty", i+1))
		case st.name == "organizer":
			var obs []*node
			for _, comp := range st.all("component") {
				if o := c2Statement(comp); o != nil {
					obs = append(obs, o)
				}
			}
			if len(obs) == 0 {
				c.skip(title, fmt.Sprintf("entry %d: a vital signs group holds no measurement", i+1))
			}
			c.vitalGroup(title, s, obs)
		case st.name == "observation":
			c.vitalGroup(title, s, []*node{st})
		default:
			c.skip(title, fmt.Sprintf("entry %d is a <%s>, not a vital sign", i+1, st.name))
		}
	}
}

// vitalGroup converts the vital signs measured together, pairing systolic
// and diastolic blood pressure into one panel.
func (c *converter) vitalGroup(title string, section *node, obs []*node) {
	var made []map[string]any
	sys, dia := -1, -1
	nSys, nDia := 0, 0
	for _, o := range obs {
		res, why := c.c2Observation(section, o, "vital-signs", "Vital Signs")
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
		"component": []any{bloodPressureComponent(sys), bloodPressureComponent(dia)},
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
