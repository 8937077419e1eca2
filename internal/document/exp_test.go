package document

import (
	"runtime"
	"testing"

	"faxgate/internal/faxtiff"
)

func heapMB() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse >> 20
}

func TestExpMem(t *testing.T) {
	text, photos := benchFiles(t)
	t.Logf("start %d MB", heapMB())
	c, _ := NewConverter(Config{Workers: 1})
	c.Warm()
	t.Logf("after warm %d MB", heapMB())
	for i := 0; i < 2; i++ {
		s := measure(t, c, text, faxtiff.Fine)
		t.Logf("text: peak %d MB, after %d MB", s.peakHeap>>20, heapMB())
		s = measure(t, c, photos, faxtiff.Fine)
		t.Logf("photo: peak %d MB, after %d MB", s.peakHeap>>20, heapMB())
	}
	c.Close()
	t.Logf("after close %d MB", heapMB())
}
