package cql2

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/twpayne/go-geom"
)

// String writes e as CQL2 text that ParseText reads back to the same
// expression.
func String(e Expr) string {
	var b strings.Builder
	write(&b, e)
	return b.String()
}

func write(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case nil:
		b.WriteString("<nil>")
	case Property:
		writeName(b, e.Name)
	case Literal:
		switch v := e.Value.(type) {
		case string:
			b.WriteByte('\'')
			b.WriteString(strings.ReplaceAll(v, "'", "''"))
			b.WriteByte('\'')
		case float64:
			b.WriteString(strconv.FormatFloat(v, 'g', -1, 64))
		case bool:
			if v {
				b.WriteString("TRUE")
			} else {
				b.WriteString("FALSE")
			}
		}
	case Geometry:
		writeGeometry(b, e)
	case And:
		writeList(b, e.Args, " AND ")
	case Or:
		writeList(b, e.Args, " OR ")
	case Not:
		b.WriteString("NOT (")
		write(b, e.X)
		b.WriteByte(')')
	case Compare:
		write(b, e.L)
		b.WriteString(" " + e.Op + " ")
		write(b, e.R)
	case IsNull:
		write(b, e.X)
		b.WriteString(" IS NULL")
	case Like:
		write(b, e.X)
		b.WriteString(" LIKE ")
		write(b, e.Pattern)
	case Between:
		write(b, e.X)
		b.WriteString(" BETWEEN ")
		write(b, e.Lo)
		b.WriteString(" AND ")
		write(b, e.Hi)
	case In:
		write(b, e.X)
		b.WriteString(" IN (")
		for i, x := range e.List {
			if i > 0 {
				b.WriteString(", ")
			}
			write(b, x)
		}
		b.WriteByte(')')
	case Intersects:
		b.WriteString("S_INTERSECTS(")
		write(b, e.L)
		b.WriteString(", ")
		write(b, e.R)
		b.WriteByte(')')
	}
}

// writeList joins the arguments of AND or OR, parenthesising the compound
// ones so that the text parses back to the same tree.
func writeList(b *strings.Builder, args []Expr, sep string) {
	for i, a := range args {
		if i > 0 {
			b.WriteString(sep)
		}
		switch a.(type) {
		case And, Or:
			b.WriteByte('(')
			write(b, a)
			b.WriteByte(')')
		default:
			write(b, a)
		}
	}
}

// writeName writes a property name bare when it reads back as one, else
// double-quoted.
func writeName(b *strings.Builder, name string) {
	bare := name != "" && !keywords[strings.ToUpper(name)] && !geometryWords[strings.ToUpper(name)]
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || i > 0 && (r == ':' || r == '.' || unicode.IsDigit(r))) {
			bare = false
			break
		}
	}
	if bare {
		b.WriteString(name)
		return
	}
	b.WriteByte('"')
	b.WriteString(strings.ReplaceAll(name, `"`, `""`))
	b.WriteByte('"')
}

var geometryWords = map[string]bool{
	"POINT": true, "LINESTRING": true, "POLYGON": true, "MULTIPOINT": true,
	"MULTILINESTRING": true, "MULTIPOLYGON": true, "BBOX": true, "GEOMETRYCOLLECTION": true,
}

func writeGeometry(b *strings.Builder, g Geometry) {
	num := func(v float64) { b.WriteString(strconv.FormatFloat(v, 'g', -1, 64)) }
	if g.Box != nil {
		b.WriteString("BBOX(")
		num(g.Box.MinLon)
		b.WriteByte(',')
		num(g.Box.MinLat)
		b.WriteByte(',')
		num(g.Box.MaxLon)
		b.WriteByte(',')
		num(g.Box.MaxLat)
		b.WriteByte(')')
		return
	}
	coords := func(cs []geom.Coord) {
		b.WriteByte('(')
		for i, c := range cs {
			if i > 0 {
				b.WriteByte(',')
			}
			num(c[0])
			b.WriteByte(' ')
			num(c[1])
		}
		b.WriteByte(')')
	}
	rings := func(rs [][]geom.Coord) {
		b.WriteByte('(')
		for i, r := range rs {
			if i > 0 {
				b.WriteByte(',')
			}
			coords(r)
		}
		b.WriteByte(')')
	}
	switch t := g.G.(type) {
	case *geom.Point:
		b.WriteString("POINT")
		coords([]geom.Coord{t.Coords()})
	case *geom.LineString:
		b.WriteString("LINESTRING")
		coords(t.Coords())
	case *geom.Polygon:
		b.WriteString("POLYGON")
		rings(t.Coords())
	case *geom.MultiPoint:
		b.WriteString("MULTIPOINT")
		coords(t.Coords())
	case *geom.MultiLineString:
		b.WriteString("MULTILINESTRING")
		rings(t.Coords())
	case *geom.MultiPolygon:
		b.WriteString("MULTIPOLYGON(")
		for i, p := range t.Coords() {
			if i > 0 {
				b.WriteByte(',')
			}
			rings(p)
		}
		b.WriteByte(')')
	}
}
