package document

import (
	"encoding/binary"
	"testing"
)

// TestAllLight checks the eight-pixel shortcut against the plain rule for
// every byte value in every position.
func TestAllLight(t *testing.T) {
	for pos := range 8 {
		for v := range 256 {
			b := []byte{255, 255, 255, 255, 255, 255, 255, 255}
			b[pos] = byte(v)
			if got, want := allLight(binary.LittleEndian.Uint64(b)), v >= midHi; got != want {
				t.Fatalf("value %d at %d: allLight = %v, want %v", v, pos, got, want)
			}
			for i := range b {
				b[i] = midHi
			}
			b[pos] = byte(v)
			if got, want := allLight(binary.LittleEndian.Uint64(b)), v >= midHi; got != want {
				t.Fatalf("value %d at %d among %d: allLight = %v, want %v", v, pos, midHi, got, want)
			}
		}
	}
}
