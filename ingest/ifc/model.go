package ifc

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/future-community/cim/ingest/ifc/step"
)

// model is a file's instances by id, kept whole: the files cim reads
// are a few megabytes.
type model struct {
	name   string
	schema string
	inst   instances
	order  []*step.Instance // in file order
	warn   func(string)

	lengthM, areaM2 float64

	slabTypes map[uint64]string // IfcSlab id → its IfcSlabType's PredefinedType
	areaDiffs []float64         // spaces whose geometric and quantity-set floor areas disagree: (geometry − set) / set

	placed   map[uint64]affine
	visiting map[uint64]bool
}

// load reads every instance and checks that every reference resolves.
func load(sr *step.Reader, name string) (*model, error) {
	m := &model{name: name, placed: map[uint64]affine{}, visiting: map[uint64]bool{}}
	var maxID uint64
	for {
		in, err := sr.Next()
		if err == io.EOF {
			break
		}
		if errors.Is(err, step.ErrDuplicateID) {
			return nil, fromStep(err)
		}
		if err != nil {
			return nil, fromStep(err)
		}
		m.order = append(m.order, in)
		maxID = max(maxID, in.ID)
	}
	m.inst = newInstances(m.order, maxID)
	for _, in := range m.order {
		if err := m.checkRefs(in, in.Args); err != nil {
			return nil, err
		}
		for _, p := range in.Parts {
			if err := m.checkRefs(in, p.Args); err != nil {
				return nil, err
			}
		}
	}
	return m, nil
}

func (m *model) checkRefs(in *step.Instance, vs []step.Value) error {
	for _, v := range vs {
		switch v.Kind {
		case step.Ref:
			id, _ := v.Ref()
			if m.inst.get(id) == nil {
				return m.errAt(in, fmt.Errorf("%w: %s refers to #%d, which the file does not define", ErrDangling, in.Type, id))
			}
		case step.List, step.Typed:
			l, ok := v.List()
			if !ok {
				_, tv, _ := v.Typed()
				l = []step.Value{tv}
			}
			if err := m.checkRefs(in, l); err != nil {
				return err
			}
		}
	}
	return nil
}

// instances finds instances by id: in a slice indexed by id where the
// ids are dense, as writers number them, else in a map.
type instances struct {
	dense  []*step.Instance
	sparse map[uint64]*step.Instance
}

func newInstances(all []*step.Instance, maxID uint64) instances {
	var x instances
	if maxID <= 4*uint64(len(all))+4096 {
		x.dense = make([]*step.Instance, maxID+1)
		for _, in := range all {
			x.dense[in.ID] = in
		}
		return x
	}
	x.sparse = make(map[uint64]*step.Instance, len(all))
	for _, in := range all {
		x.sparse[in.ID] = in
	}
	return x
}

func (x *instances) get(id uint64) *step.Instance {
	if x.sparse != nil {
		return x.sparse[id]
	}
	if id < uint64(len(x.dense)) {
		return x.dense[id]
	}
	return nil
}

// errAt locates err at an instance.
func (m *model) errAt(in *step.Instance, err error) *Error {
	if in == nil {
		return &Error{Name: m.name, Offset: -1, Err: err}
	}
	return &Error{Name: m.name, Line: in.Line, Offset: in.Offset, ID: in.ID, Err: err}
}

func modelErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrModel, fmt.Sprintf(format, args...))
}

// deref returns the instance a reference value names, nil for anything
// else. load has checked that references resolve.
func (m *model) deref(v step.Value) *step.Instance {
	id, ok := v.Ref()
	if !ok {
		return nil
	}
	return m.inst.get(id)
}

func (m *model) ofType(typ string) []*step.Instance {
	var out []*step.Instance
	for _, in := range m.order {
		if in.Type == typ {
			out = append(out, in)
		}
	}
	return out
}

var siPrefix = map[string]float64{
	"EXA": 1e18, "PETA": 1e15, "TERA": 1e12, "GIGA": 1e9, "MEGA": 1e6, "KILO": 1e3, "HECTO": 1e2, "DECA": 1e1,
	"DECI": 1e-1, "CENTI": 1e-2, "MILLI": 1e-3, "MICRO": 1e-6, "NANO": 1e-9, "PICO": 1e-12, "FEMTO": 1e-15, "ATTO": 1e-18,
}

// unit returns a unit's type (LENGTHUNIT …) and its size in SI units.
func (m *model) unit(in *step.Instance, depth int) (string, float64, bool) {
	if in == nil || depth > maxDepth {
		return "", 0, false
	}
	switch in.Type {
	case "IFCSIUNIT":
		typ, _ := in.Arg(1).Enum()
		p := 1.0
		if pre, ok := in.Arg(2).Enum(); ok {
			if p, ok = siPrefix[pre]; !ok {
				return "", 0, false
			}
		}
		name, _ := in.Arg(3).Enum()
		switch {
		case strings.HasPrefix(name, "SQUARE_"):
			p *= p
		case strings.HasPrefix(name, "CUBIC_"):
			p *= p * p
		}
		return typ, p, true
	case "IFCCONVERSIONBASEDUNIT", "IFCCONVERSIONBASEDUNITWITHOFFSET":
		typ, _ := in.Arg(1).Enum()
		mwu := m.deref(in.Arg(3))
		if mwu == nil {
			return "", 0, false
		}
		v, ok := mwu.Arg(0).Untyped().Float()
		if !ok {
			return "", 0, false
		}
		_, f, ok := m.unit(m.deref(mwu.Arg(1)), depth+1)
		if !ok || v <= 0 {
			return "", 0, false
		}
		return typ, v * f, true
	}
	return "", 0, false
}

// units reads the project's length and area units.
func (m *model) units(project *step.Instance) {
	m.lengthM, m.areaM2 = 1, 1
	ua := m.deref(project.Arg(8))
	if ua == nil {
		return
	}
	us, _ := ua.Arg(0).List()
	for _, uv := range us {
		typ, f, ok := m.unit(m.deref(uv), 0)
		if !ok {
			continue
		}
		switch typ {
		case "LENGTHUNIT":
			m.lengthM = f
		case "AREAUNIT":
			m.areaM2 = f
		}
	}
}
