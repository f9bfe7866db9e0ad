package cim

import "fmt"

// Stage is the phase of the planning–design–construction cycle a feature
// belongs to. The same object may exist in several stages of a dataset, as
// planned, as designed and as built.
type Stage uint8

// The stages, in the order a scheme goes through them. StageAny is the zero
// value; it is not a stage a feature can have, and in a query it means "every
// stage".
const (
	StageAny          Stage = iota
	StagePlanning           // control plans and schemes under review
	StageDesign             // design models (BIM) of approved schemes
	StageConstruction       // under construction
	StageAsBuilt            // what exists: surveys, OpenStreetMap, as-built BIM
	numStages
)

// DefaultStage is the stage given to features whose source says nothing
// about it.
const DefaultStage = StageAsBuilt

var stageNames = [numStages]string{"", "planning", "design", "construction", "as-built"}

// Stages returns the four stages in order.
func Stages() []Stage {
	return []Stage{StagePlanning, StageDesign, StageConstruction, StageAsBuilt}
}

// String returns the stage name, such as "as-built", or "any" for StageAny.
func (s Stage) String() string {
	if s == StageAny {
		return "any"
	}
	if s < numStages {
		return stageNames[s]
	}
	return fmt.Sprintf("stage(%d)", uint8(s))
}

// Valid reports whether s is one of the four stages (not StageAny).
func (s Stage) Valid() bool { return s > StageAny && s < numStages }

// ParseStage returns the stage with the given name. "asbuilt", "as_built"
// and "built" are accepted for StageAsBuilt, "plan" for StagePlanning.
func ParseStage(s string) (Stage, error) {
	switch s {
	case "planning", "plan":
		return StagePlanning, nil
	case "design":
		return StageDesign, nil
	case "construction":
		return StageConstruction, nil
	case "as-built", "asbuilt", "as_built", "built":
		return StageAsBuilt, nil
	}
	return 0, fmt.Errorf("unknown stage %q (want planning, design, construction or as-built)", s)
}

// MarshalText implements encoding.TextMarshaler.
func (s Stage) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Stage) UnmarshalText(b []byte) error {
	v, err := ParseStage(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
