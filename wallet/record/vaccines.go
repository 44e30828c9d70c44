package record

// SMART Health Cards carry minified FHIR: an Immunization's vaccineCode is
// often a bare CVX code with no display ("207"), which means nothing to a
// person. vaccineNames names the vaccines people most often hold cards for,
// in the words of the CDC's CVX table (https://www2.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx),
// shortened where the full name is a formulation. A code not listed here
// stays shown as its code.
const systemCVX = "http://hl7.org/fhir/sid/cvx"

var vaccineNames = map[string]string{
	"03":  "MMR (measles, mumps, rubella)",
	"08":  "Hep B, adolescent or pediatric",
	"10":  "Polio (IPV)",
	"20":  "DTaP",
	"21":  "Varicella (chickenpox)",
	"33":  "Pneumococcal polysaccharide (PPV23)",
	"43":  "Hep B, adult",
	"62":  "HPV, quadrivalent",
	"83":  "Hep A, pediatric/adolescent, 2 dose",
	"113": "Td (adult) preservative free",
	"115": "Tdap",
	"133": "Pneumococcal conjugate (PCV13)",
	"140": "Influenza, seasonal, injectable, preservative free",
	"141": "Influenza, seasonal, injectable",
	"150": "Influenza, injectable, quadrivalent, preservative free",
	"165": "HPV9",
	"187": "Zoster (shingles), recombinant",
	"207": "COVID-19 vaccine, Moderna",
	"208": "COVID-19 vaccine, Pfizer-BioNTech",
	"210": "COVID-19 vaccine, AstraZeneca",
	"211": "COVID-19 vaccine, Novavax",
	"212": "COVID-19 vaccine, Janssen",
	"213": "COVID-19 vaccine, unspecified",
	"217": "COVID-19 vaccine, Pfizer-BioNTech (12 years and older)",
	"218": "COVID-19 vaccine, Pfizer-BioNTech (5 to 11 years)",
	"219": "COVID-19 vaccine, Pfizer-BioNTech (6 months to 4 years)",
	"221": "COVID-19 vaccine, Moderna (booster dose)",
	"228": "COVID-19 vaccine, Moderna (6 months to 5 years)",
	"229": "COVID-19 vaccine, Moderna bivalent",
	"230": "COVID-19 vaccine, Moderna bivalent (6 months to 5 years)",
	"300": "COVID-19 vaccine, Pfizer-BioNTech bivalent (12 years and older)",
	"301": "COVID-19 vaccine, Pfizer-BioNTech bivalent (5 to 11 years)",
	"302": "COVID-19 vaccine, Pfizer-BioNTech bivalent (6 months to 4 years)",
}

// knownDisplay is a person's name for a bare code, when the wallet knows one.
func knownDisplay(c Code) string {
	if c.System == systemCVX {
		return vaccineNames[c.Code]
	}
	return ""
}
