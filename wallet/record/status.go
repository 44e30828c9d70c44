package record

// PastProblem reports whether a Condition's (or an allergy's) clinical or
// verification status says it no longer applies: inactive, in remission,
// resolved, refuted or entered in error. The chart files such problems
// under "Past problems"; the patient summary leaves them out.
func PastProblem(status string) bool { return pastProblem[status] }

// PastMedication reports whether a medication record's status says it is
// no longer being taken (completed, stopped, cancelled, not taken…).
func PastMedication(status string) bool { return pastMedication[status] }
