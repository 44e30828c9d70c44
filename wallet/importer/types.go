package importer

import "strings"

// r4Types are the resource types of FHIR R4 (4.0.1), from its resource list.
var r4Types = toSet(`Account ActivityDefinition AdverseEvent AllergyIntolerance Appointment
AppointmentResponse AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle
CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Claim
ClaimResponse ClinicalImpression CodeSystem Communication CommunicationRequest
CompartmentDefinition Composition ConceptMap Condition Consent Contract Coverage
CoverageEligibilityRequest CoverageEligibilityResponse DetectedIssue Device DeviceDefinition
DeviceMetric DeviceRequest DeviceUseStatement DiagnosticReport DocumentManifest
DocumentReference EffectEvidenceSynthesis Encounter Endpoint EnrollmentRequest
EnrollmentResponse EpisodeOfCare EventDefinition Evidence EvidenceVariable ExampleScenario
ExplanationOfBenefit FamilyMemberHistory Flag Goal GraphDefinition Group GuidanceResponse
HealthcareService ImagingStudy Immunization ImmunizationEvaluation ImmunizationRecommendation
ImplementationGuide InsurancePlan Invoice Library Linkage List Location Measure MeasureReport
Media Medication MedicationAdministration MedicationDispense MedicationKnowledge
MedicationRequest MedicationStatement MedicinalProduct MedicinalProductAuthorization
MedicinalProductContraindication MedicinalProductIndication MedicinalProductIngredient
MedicinalProductInteraction MedicinalProductManufactured MedicinalProductPackaged
MedicinalProductPharmaceutical MedicinalProductUndesirableEffect MessageDefinition
MessageHeader MolecularSequence NamingSystem NutritionOrder Observation ObservationDefinition
OperationDefinition OperationOutcome Organization OrganizationAffiliation Parameters Patient
PaymentNotice PaymentReconciliation Person PlanDefinition Practitioner PractitionerRole
Procedure Provenance Questionnaire QuestionnaireResponse RelatedPerson RequestGroup
ResearchDefinition ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment
RiskEvidenceSynthesis Schedule SearchParameter ServiceRequest Slot Specimen SpecimenDefinition
StructureDefinition StructureMap Subscription Substance SubstanceNucleicAcid SubstancePolymer
SubstanceProtein SubstanceReferenceInformation SubstanceSourceMaterial SubstanceSpecification
SupplyDelivery SupplyRequest Task TerminologyCapabilities TestReport TestScript ValueSet
VerificationResult VisionPrescription`)

// olderTypes existed in DSTU2 or STU3 and are gone from R4: a file that uses
// them was written for an older FHIR version.
var olderTypes = toSet(`BodySite Conformance DataElement DecisionSupportRule
DecisionSupportServiceModule DeviceComponent DeviceUseRequest DiagnosticOrder
EligibilityRequest EligibilityResponse ExpansionProfile ImagingManifest ImagingObjectSelection
MedicationOrder ModuleDefinition ModuleMetadata NutritionRequest Order OrderResponse OrderSet
ProcedureRequest ProcessRequest ProcessResponse ReferralRequest Sequence ServiceDefinition
DiagnosticRequest`)

// newerTypes appear only in R4B or R5.
var newerTypes = toSet(`ActorDefinition AdministrableProductDefinition ArtifactAssessment
BiologicallyDerivedProductDispense Citation ClinicalUseDefinition ConditionDefinition
DeviceAssociation DeviceDispense DeviceUsage EncounterHistory EvidenceReport FormularyItem
GenomicStudy ImagingSelection Ingredient InventoryItem InventoryReport
ManufacturedItemDefinition MedicinalProductDefinition NutritionIntake NutritionProduct
PackagedProductDefinition Permission RegulatedAuthorization RequestOrchestration Requirements
SubscriptionStatus SubscriptionTopic SubstanceDefinition TestPlan Transport`)

func toSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, f := range strings.Fields(s) {
		m[f] = true
	}
	return m
}

// IsR4Type reports whether name is a FHIR R4 resource type.
func IsR4Type(name string) bool { return r4Types[name] }

// typeProblem explains why resourceType t cannot be imported, or "" if it can.
func typeProblem(t string) string {
	switch {
	case r4Types[t]:
		return ""
	case t == "":
		return "resourceType is empty"
	case olderTypes[t]:
		return "resourceType " + quote(t) + " is from an older FHIR version (DSTU2/STU3), not R4: export the records as FHIR R4"
	case newerTypes[t]:
		return "resourceType " + quote(t) + " is from FHIR R4B/R5, not R4: export the records as FHIR R4"
	}
	return "resourceType " + quote(t) + " is not a FHIR R4 resource type"
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
