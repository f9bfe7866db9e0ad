package step_test

import (
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/future-community/cim/ingest/ifc/step"
)

func Example() {
	const file = `ISO-10303-21;
HEADER;
FILE_DESCRIPTION(('ViewDefinition [CoordinationView]'),'2;1');
FILE_NAME('haus.ifc','2016-12-21T10:00:00',(''),(''),'','ARCHICAD 20','');
FILE_SCHEMA(('IFC4'));
ENDSEC;
DATA;
#1=IFCCARTESIANPOINT((0.,0.,2.7));
#2=IFCLOCALPLACEMENT($,#3);
#3=IFCAXIS2PLACEMENT3D(#1,$,$);
#4=IFCBUILDINGSTOREY('273g3wqLzDtfYIl7qqkgcO',$,'Dachgeschoss',$,$,#2,$,$,.ELEMENT.,2.7);
#5=IFCPROPERTYSINGLEVALUE('H\X2\00F6\X0\he',$,IFCLENGTHMEASURE(2.7),$);
ENDSEC;
END-ISO-10303-21;
`
	r, err := step.NewReader(strings.NewReader(file), "haus.ifc")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("schema:", r.Header().Schemas[0])

	// Skip what is not wanted without building its values.
	r.Only(func(typ string) bool { return typ == "IFCBUILDINGSTOREY" || typ == "IFCPROPERTYSINGLEVALUE" })
	for {
		in, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		switch in.Type {
		case "IFCBUILDINGSTOREY":
			name, _ := in.Arg(2).Text()
			placement, _ := in.Arg(5).Ref()
			elevation, _ := in.Arg(9).Float()
			fmt.Printf("line %d: storey %s at %g m, placement #%d\n", in.Line, name, elevation, placement)
		case "IFCPROPERTYSINGLEVALUE":
			name, _ := in.Arg(0).Text()
			unit, v, _ := in.Arg(2).Typed()
			f, _ := v.Float()
			fmt.Printf("line %d: %s = %g (%s)\n", in.Line, name, f, unit)
		}
	}
	// Output:
	// schema: IFC4
	// line 11: storey Dachgeschoss at 2.7 m, placement #2
	// line 12: Höhe = 2.7 (IFCLENGTHMEASURE)
}

// A located error: file name, line and column, instance and byte offset.
func ExampleError() {
	const file = "ISO-10303-21;\nHEADER;\nFILE_SCHEMA(('IFC4'));\nENDSEC;\nDATA;\n#1=IFCLABEL('dangling);\n"
	r, err := step.NewReader(strings.NewReader(file), "bad.ifc")
	if err != nil {
		log.Fatal(err)
	}
	_, err = r.Next()
	fmt.Println(err)
	// Output:
	// bad.ifc:6:13: #1 (byte 71): truncated file: unterminated string
}
