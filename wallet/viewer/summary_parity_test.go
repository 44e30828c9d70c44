package viewer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"healthwallet/wallet/record"
	"healthwallet/wallet/testcorpus"
)

// parityScript runs the viewer's own modules (web/src/summary.js and
// chart.js, as the bundle includes them) in node on groups of resources, each
// given as JSON text the way the page receives it. It answers, per group, the
// resources re-serialized after JSON.parse (numbers as JavaScript reads them:
// "10.0" becomes 10, which the page cannot tell apart), every summary and the
// chart.
const parityScript = `
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
const [src, input] = process.argv.slice(2);
const { summarize, isoDayOf } = await import(pathToFileURL(src + '/summary.js'));
const { makeChart } = await import(pathToFileURL(src + '/chart.js'));
const out = [];
for (const group of JSON.parse(readFileSync(input, 'utf8'))) {
  const resources = group.resources.map((text) => JSON.parse(text));
  const summaries = resources.map((r) => {
    const s = summarize(r);
    return { title: s.title, category: s.category, ms: s.date === null ? null : s.date.ms,
      day: s.date === null ? '' : isoDayOf(s.date), details: s.details, status: s.status, codes: s.codes };
  });
  const c = makeChart(resources);
  const chart = { patients: c.patients, sections: c.sections.map((s) => ({ id: s.id, title: s.title,
    items: s.items.map((it) => ({ index: it.index, flag: it.flag })) })) };
  out.push({ normalized: resources.map((r) => JSON.stringify(r)), summaries, chart });
}
process.stdout.write(JSON.stringify(out));
`

type paritySummary struct {
	Title    string        `json:"title"`
	Category string        `json:"category"`
	MS       *int64        `json:"ms"`
	Day      string        `json:"day"`
	Details  []string      `json:"details"`
	Status   string        `json:"status"`
	Codes    []record.Code `json:"codes"`
}

type parityItem struct {
	Index int    `json:"index"`
	Flag  string `json:"flag"`
}

type paritySection struct {
	ID    string       `json:"id"`
	Title string       `json:"title"`
	Items []parityItem `json:"items"`
}

type parityChart struct {
	Patients []int           `json:"patients"`
	Sections []paritySection `json:"sections"`
}

type parityGroup struct {
	Name      string   `json:"name"`
	Resources []string `json:"resources"`
}

type parityAnswer struct {
	Normalized []string        `json:"normalized"`
	Summaries  []paritySummary `json:"summaries"`
	Chart      parityChart     `json:"chart"`
}

// goSummary is record.Summarize's answer in the script's terms.
func goSummary(raw string) paritySummary {
	s := record.Summarize(record.Resource{Raw: json.RawMessage(raw)})
	p := paritySummary{Title: s.Title, Category: s.Category, Details: s.Details, Status: s.Status, Codes: s.Codes}
	if !s.Date.IsZero() {
		ms := s.Date.UnixMilli()
		p.MS = &ms
		p.Day = s.Date.Format("2006-01-02")
	}
	if p.Details == nil {
		p.Details = []string{}
	}
	if p.Codes == nil {
		p.Codes = []record.Code{}
	}
	return p
}

// goChart is record.MakeChart's answer in the script's terms.
func goChart(raws []string) parityChart {
	rs := make([]record.Resource, len(raws))
	for i, r := range raws {
		rs[i] = record.Resource{Raw: json.RawMessage(r)}
	}
	c := record.MakeChart(rs)
	p := parityChart{Patients: c.Patients, Sections: []paritySection{}}
	if p.Patients == nil {
		p.Patients = []int{}
	}
	for _, s := range c.Sections {
		ps := paritySection{ID: s.ID, Title: s.Title}
		for _, it := range s.Items {
			ps.Items = append(ps.Items, parityItem{Index: it.Index, Flag: it.Flag})
		}
		p.Sections = append(p.Sections, ps)
	}
	return p
}

// corpusGroups reads every file of the Synthea and FHIR R4 example corpora
// as one group: a Bundle's entries (and, in a group of their own, the
// Bundles themselves), or the one resource a file holds.
func corpusGroups(t *testing.T) []parityGroup {
	var files []string
	files = append(files, testcorpus.Files(t, testcorpus.Dir(t, "synthea"), ".json")...)
	files = append(files, testcorpus.Files(t, testcorpus.Dir(t, "fhir-r4-examples"), ".json")...)
	var groups []parityGroup
	var bundles parityGroup
	bundles.Name = "the corpus Bundles themselves"
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			ResourceType string
			Entry        []struct{ Resource json.RawMessage }
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		g := parityGroup{Name: filepath.Base(filepath.Dir(f)) + "/" + filepath.Base(f)}
		if doc.ResourceType == "Bundle" {
			for _, e := range doc.Entry {
				if len(e.Resource) > 0 {
					g.Resources = append(g.Resources, string(e.Resource))
				}
			}
			bundles.Resources = append(bundles.Resources, string(data))
		} else {
			g.Resources = []string{string(data)}
		}
		groups = append(groups, g)
	}
	return append(groups, bundles)
}

// edgeCases are hand-made resources for what the corpora lack: the chart's
// orders and flags, odd shapes and values a stranger's record may hold.
var edgeCases = []string{
	`{"resourceType":"Patient","name":[{"use":"usual","given":["Ada"]},{"use":"official","prefix":["Dr"],"given":["Augusta","Ada"],"family":"King","suffix":["CB"]}],"birthDate":"1815-12"}`,
	`{"resourceType":"AllergyIntolerance","code":{"coding":[{"code":"91936005","display":"Penicillin"}]},"criticality":"high","clinicalStatus":{"coding":[{"code":"active"}]},"reaction":[{"manifestation":[{"text":"Hives"}],"severity":"severe"}],"recordedDate":"2001"}`,
	`{"resourceType":"AllergyIntolerance","code":{"text":"Latex"},"criticality":"unable-to-assess","verificationStatus":{"coding":[{"code":"unconfirmed"}]},"onsetDateTime":"2019-02-03T04:05:06.789+05:30"}`,
	`{"resourceType":"AllergyIntolerance","code":{"text":"Cats"},"criticality":"low","clinicalStatus":{"text":"Inactive"}}`,
	`{"resourceType":"Condition","code":{"text":"  Asthma  "},"clinicalStatus":{"coding":[{"code":"active"}]},"onsetAge":{"value":7,"unit":"a"}}`,
	`{"resourceType":"Condition","code":{"text":"Broken arm"},"abatementDateTime":"2019-01-01","onsetPeriod":{"start":"2018-12-01","end":"2018-12-01T10:00:00Z"}}`,
	`{"resourceType":"Condition","code":{"text":"Not TB"},"verificationStatus":{"coding":[{"code":"refuted"}]},"onsetString":"childhood"}`,
	`{"resourceType":"MedicationRequest","status":"active","medicationReference":{"reference":"#m1"},"contained":[{"resourceType":"Medication","id":"m1","code":{"text":"Salbutamol"}}],"dosageInstruction":[{"doseAndRate":[{"doseRange":{"low":{"value":1,"unit":"puff"},"high":{"value":2,"unit":"puff"}}}],"timing":{"repeat":{"frequency":4,"period":1,"periodUnit":"d"}},"asNeededCodeableConcept":{"text":"wheeze"},"route":{"text":"Inhalation"}}],"authoredOn":"2020-01-01"}`,
	`{"resourceType":"MedicationStatement","status":"stopped","medicationCodeableConcept":{"text":"Ibuprofen"},"dosage":[{"doseAndRate":[{"doseQuantity":{"value":400,"unit":"mg"}}],"timing":{"repeat":{"frequency":3,"period":8,"periodUnit":"h"}},"asNeededBoolean":true,"route":{"text":"Oral route"}}],"effectivePeriod":{"start":"2018-12-01T09:30"}}`,
	`{"resourceType":"Observation","category":[{"coding":[{"code":"laboratory"}]}],"code":{"text":"Potassium"},"valueQuantity":{"value":6.1,"unit":"mmol/L","code":"mmol/L"},"referenceRange":[{"low":{"value":3.5,"unit":"mmol/L"},"high":{"value":5.1,"unit":"mmol/L"}}],"effectiveDateTime":"2024-02-29T23:59:59-12:00"}`,
	`{"resourceType":"Observation","category":[{"coding":[{"code":"laboratory"}]}],"code":{"text":"Sodium"},"valueQuantity":{"value":"120","unit":"mmol/L"},"referenceRange":[{"low":{"value":135,"unit":"mmol/L"}}],"interpretation":[{"coding":[{"code":"LU"}]}],"effectiveDateTime":"2024-02-29"}`,
	`{"resourceType":"Observation","code":{"text":"CRP"},"valueQuantity":{"value":2,"comparator":"<","unit":"constructor"},"referenceRange":[{"low":{"value":3,"unit":"constructor"}}]}`,
	`{"resourceType":"Observation","code":{"coding":[{"code":"85354-9"}]},"component":[{"code":{"coding":[{"code":"8480-6"}],"text":"Systolic"},"valueQuantity":{"value":150,"code":"mm[Hg]"}},{"code":{"coding":[{"code":"8462-4"}],"text":"Diastolic"},"valueQuantity":{"value":95,"code":"mm[Hg]"}},{"code":{"text":"Posture"},"valueString":"sitting"}],"interpretation":[{"coding":[{"code":"H"}]}],"effectiveDateTime":"2023-13-01"}`,
	`{"resourceType":"Observation","code":{"text":"Glucose"},"dataAbsentReason":{"text":"error"},"effectiveDateTime":"2023-02-30"}`,
	`{"resourceType":"Observation","code":"not a concept","valueRatio":{"numerator":{"value":1},"denominator":{"value":128}},"issued":"2020-05-05T10:11:12.123456789Z"}`,
	`{"resourceType":"Claim","type":{"text":"professional"},"total":{"value":0.125,"currency":"USD"},"created":"0000-01-01"}`,
	`{"resourceType":"ExplanationOfBenefit","total":[{"category":{"text":"Submitted"},"amount":{"value":112.41600000000001,"currency":"USD"}}],"payment":{"amount":{"value":1e21}}}`,
	`{"resourceType":"Goal","description":{"text":"Lose weight"},"target":[{"measure":{"text":"Weight"},"detailQuantity":{"value":80,"unit":"kg"},"dueDate":"2025-06"},{"detailString":"walk daily"}],"lifecycleStatus":"active"}`,
	`{"resourceType":"QuestionnaireResponse","questionnaire":"http://x/Questionnaire/phq#v2","item":[{"text":"Mood:","answer":[{"valueCoding":{"code":"low"}}]},{"text":"Date","answer":[{"valueDate":"2020-01-02"}]}],"authored":"2020-01-02T03:04:05+14:00"}`,
	`{"resourceType":"Appointment","serviceType":[{"text":"Check-up"}],"start":"2026-01-02T09:30:00-05:00"}`,
	`{"resourceType":"Encounter","class":{"code":"EMER"},"period":{"start":"2020-01-01T10:00:00Z","end":"2020-01-01T23:00:00Z"}}`,
	`{"resourceType":"Encounter","class":{"code":"ZZZ"}}`,
	`{"resourceType":"Provenance","text":{"div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Signed &amp; sealed &lt;today&gt;, by Ä long note ` + strings.Repeat("é ø 漢字 ", 40) + `</p></div>"}}`,
	`{"resourceType":"Device","deviceName":[{"name":"Pump"}],"udiCarrier":[{"deviceIdentifier":"0001"}],"expirationDate":"2030-01-01"}`,
	`{"resourceType":"FamilyMemberHistory","relationship":{"text":"mother"},"condition":[{"code":{"text":"Stroke"}}],"date":"2010"}`,
	`{"resourceType":"DiagnosticReport","category":[{"coding":[{"code":"RAD"}]}],"code":{"text":"Chest X-ray"},"result":[{"display":"Clear"},{"reference":"Observation/1"}],"presentedForm":[{"title":"Report","contentType":"application/pdf"}]}`,
	`{"resourceType":"Basic","code":{"coding":[{"system":"s","code":"c"},{"system":"s","code":"c"}]},"title":"x","status":false}`,
	`{"resourceType":"Coverage","type":{"text":"PPO"},"class":[{"type":{"text":"group"},"value":"G1","name":"Acme"}],"subscriberId":12345678901234567890}`,
	`{}`,
	`[]`,
	`"just a string"`,
	`{"resourceType":"Immunization","vaccineCode":{"text":"Flu"},"status":"not-done","statusReason":{"text":"refused"},"occurrenceString":"last autumn","protocolApplied":[{"doseNumberPositiveInt":2}]}`,
}

// TestSummaryParity holds the viewer's summary.js and chart.js equal to Go's
// record.Summarize and record.MakeChart: for every resource of the Synthea
// and FHIR R4 example corpora, each corpus file's resources as one chart,
// and hand-made edge cases, node and Go must give the same title, category,
// date (instant and day as written), details, status and codes, and the same
// chart (header patients, section ids and titles, item order and flags). The
// inputs are the resources as the page holds them, after JSON.parse.
func TestSummaryParity(t *testing.T) {
	node := testcorpus.Tool(t, "node", "the viewer's summaries cannot be compared with Go's; run `make deps` (apt-get install nodejs)")
	groups := corpusGroups(t)
	groups = append(groups, parityGroup{Name: "edge cases", Resources: edgeCases})

	dir := t.TempDir()
	script := filepath.Join(dir, "parity.mjs")
	input := filepath.Join(dir, "input.json")
	in, err := json.Marshal(groups)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(parityScript), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, in, 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := filepath.Abs(filepath.Join("web", "src"))
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd := exec.Command(node, script, src, input)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", script, err, stderr.String())
	}
	var answers []parityAnswer
	if err := json.Unmarshal(out, &answers); err != nil {
		t.Fatalf("node's answer: %v", err)
	}
	if len(answers) != len(groups) {
		t.Fatalf("node answered %d groups of %d", len(answers), len(groups))
	}

	resources := 0
	for gi, g := range groups {
		a := answers[gi]
		if len(a.Normalized) != len(g.Resources) || len(a.Summaries) != len(g.Resources) {
			t.Errorf("%s: node answered %d resources of %d", g.Name, len(a.Summaries), len(g.Resources))
			continue
		}
		mismatches := 0
		for i, raw := range a.Normalized {
			resources++
			goS := goSummary(raw)
			if diff := summaryDiff(goS, a.Summaries[i]); diff != "" {
				mismatches++
				if mismatches <= 3 {
					t.Errorf("%s, resource %d (%.80s…): JS and Go summaries differ:\n%s", g.Name, i, raw, diff)
				}
			}
		}
		if mismatches > 3 {
			t.Errorf("%s: %d more resources differ", g.Name, mismatches-3)
		}
		goC := goChart(a.Normalized)
		if !chartsEqual(goC, a.Chart) {
			gj, _ := json.Marshal(goC)
			jj, _ := json.Marshal(a.Chart)
			t.Errorf("%s: JS and Go charts differ:\n  Go %s\n  JS %s", g.Name, gj, jj)
		}
	}
	if !t.Failed() {
		t.Logf("%d resources in %d groups: JS and Go agree", resources, len(groups))
	}
}

func summaryDiff(g, j paritySummary) string {
	var d []string
	field := func(name string, gv, jv any) {
		if fmt.Sprint(gv) != fmt.Sprint(jv) {
			d = append(d, fmt.Sprintf("  %s: Go %q, JS %q", name, fmt.Sprint(gv), fmt.Sprint(jv)))
		}
	}
	field("title", g.Title, j.Title)
	field("category", g.Category, j.Category)
	field("status", g.Status, j.Status)
	field("day", g.Day, j.Day)
	msText := func(p *int64) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprint(*p)
	}
	field("date", msText(g.MS), msText(j.MS))
	if !slices.Equal(g.Details, j.Details) {
		d = append(d, fmt.Sprintf("  details:\n    Go %q\n    JS %q", g.Details, j.Details))
	}
	if !slices.Equal(g.Codes, j.Codes) {
		d = append(d, fmt.Sprintf("  codes: Go %v, JS %v", g.Codes, j.Codes))
	}
	return strings.Join(d, "\n")
}

func chartsEqual(a, b parityChart) bool {
	if !slices.Equal(a.Patients, b.Patients) || len(a.Sections) != len(b.Sections) {
		return false
	}
	for i := range a.Sections {
		x, y := a.Sections[i], b.Sections[i]
		if x.ID != y.ID || x.Title != y.Title || !slices.Equal(x.Items, y.Items) {
			return false
		}
	}
	return true
}
