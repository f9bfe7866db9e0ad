package plan

import (
	"bytes"
	"strings"
	"testing"
	"unicode"

	"github.com/future-community/cim/cim"
	"github.com/future-community/cim/internal/storetest"
)

func TestDisplayWidth(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"", 0},
		{"FAR", 3},
		{"容积率", 6},
		{"FAR 容积率", 10},
		{"（表4.0.2）", 11}, // fullwidth parentheses
		{"TOD大疏大密：站点", 3 + 8 + 2 + 4}, // fullwidth colon
		{"浙政发〔2019〕8号", 6 + 4 + 4 + 1 + 2},
		{"120 ㎡", 6},
		{"✓ pass", 6},
		{"✗ FAIL", 6},
		{"a…", 2},
		{"e\u0301", 1}, // e and a combining acute
		{"ｶﾀｶﾅ", 4},    // halfwidth katakana
		{"カタカナ", 8},
		{"한국", 4},
	}
	for _, tt := range tests {
		t.Run(tt.s, func(t *testing.T) {
			if got := displayWidth(tt.s); got != tt.want {
				t.Errorf("displayWidth(%q) = %d, want %d", tt.s, got, tt.want)
			}
		})
	}
}

// TestWriteTableAligns checks that the columns of the CLI table line up
// on screen: each cell starts at the same display column on every line
// of its table, with Chinese labels counted two columns a character.
func TestWriteTableAligns(t *testing.T) {
	r := check(t, storetest.Sample(t), cim.StagePlanning, "zj-future-community")
	var buf bytes.Buffer
	if err := WriteTable(&buf, r); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"FAR 容积率", "building density 建筑密度", "green ratio 绿地率", "3D green ratio 立体复合绿化率",
		"zj-site-far", "用地容积率不超过控制指标", "far 容积率", "INDICATOR 指标", "托育覆盖率"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	blocks := strings.Split(strings.TrimSpace(out), "\n\n")
	if len(blocks) < 4 {
		t.Fatalf("%d blocks, want header, indicators, stations, results:\n%s", len(blocks), out)
	}
	// Blocks 1 (indicators) and 3 (results): every line's cells start where
	// the first line's do.
	for _, bi := range []int{1, 3} {
		lines := strings.Split(blocks[bi], "\n")
		want := cellStarts(lines[0])
		if len(want) < 2 {
			t.Fatalf("block %d: %d columns in %q", bi, len(want), lines[0])
		}
		for _, l := range lines[1:] {
			got := cellStarts(l)
			for i := range min(len(got), len(want)) {
				if got[i] != want[i] {
					t.Errorf("block %d: cell %d starts at column %d, want %d:\n%s\n%s", bi, i, got[i], want[i], lines[0], l)
					break
				}
			}
		}
	}
}

// cellStarts returns the display columns at which the cells of a table
// line start: after a run of two or more spaces.
func cellStarts(line string) []int {
	var starts []int
	col, spaces := 0, 0
	for _, r := range line {
		if r == ' ' {
			spaces++
		} else {
			if spaces >= 2 {
				starts = append(starts, col)
			}
			spaces = 0
		}
		col += screenCols(r)
	}
	return starts
}

// screenCols is how many columns a terminal gives r, by a rule written
// apart from displayWidth for the characters the table holds: Han, CJK
// punctuation (〔〕) and fullwidth forms (（：）) take two.
func screenCols(r rune) int {
	if unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x303f || r >= 0xff01 && r <= 0xff60 {
		return 2
	}
	return 1
}
