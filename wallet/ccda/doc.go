// Package ccda converts C-CDA R2.1 documents (the "Download my record" XML of
// US patient portals: CCD, Referral Note, Discharge Summary, Progress Note,
// Consultation Note, History and Physical, Transfer Summary, Care Plan, …)
// into FHIR R4 resources, on the device.
//
// [Convert] reads one document with encoding/xml into a small element tree
// (bounded in size and depth), reads the header into a Patient, then each
// section it knows by its LOINC code (or template id) into resources:
// allergies, medications, problems, immunizations, results (with
// DiagnosticReport where results are organized), vital signs, social history
// (smoking status), procedures, encounters, plan of care and goals. The
// mappings follow HL7's C-CDA on FHIR and the published open converters.
// Code systems are given by OID in C-CDA and become FHIR system URIs
// ([SystemURI]).
//
// Every resource gets a stable id derived from the C-CDA entry's own id (or,
// when it has none, from its content), so the same document imported twice
// yields the same resources (duplicates), and a newer document about the same
// items yields new versions of them. Documents that give two different
// entries the same id keep both: the second gets an id made from its
// content.
//
// The Patient carries the header's names, gender, birth date, telecom, US
// Core race and ethnicity, language and identifiers — except a Social
// Security Number, which records shared with providers must not carry.
//
// Nothing is dropped silently: a section or entry that is not converted is
// listed in [Document.NotConverted] with the reason. A file that is not a
// C-CDA document (a C32, an NCPDP message, other XML) or is malformed gives
// an error wrapping [ErrNotCCDA] or [ErrMalformed] whose text is meant for
// the person importing it.
package ccda
