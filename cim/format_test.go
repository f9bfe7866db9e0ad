package cim

import (
	"fmt"
	"math"
	"testing"
)

func TestFormatInt(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "0"},
		{7, "7"},
		{999, "999"},
		{1000, "1,000"},
		{-999, "-999"},
		{-1000, "-1,000"},
		{617592, "617,592"},
		{1234567, "1,234,567"},
		{-123456, "-123,456"},
		{math.MaxInt64, "9,223,372,036,854,775,807"},
		{math.MinInt64, "-9,223,372,036,854,775,808"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := FormatInt(tt.n); got != tt.want {
				t.Errorf("FormatInt(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}

func ExampleFormatInt() {
	fmt.Println(FormatInt(617592), FormatInt(-1500), FormatInt(42))
	// Output: 617,592 -1,500 42
}

func BenchmarkFormatInt(b *testing.B) {
	b.ReportAllocs()
	for i := range b.N {
		_ = FormatInt(int64(i) * 7919)
	}
}
