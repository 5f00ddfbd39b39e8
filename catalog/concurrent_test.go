package catalog

import (
	"fmt"
	"sync"
	"testing"
)

// TestStore_ConcurrentReadersAndWriter reads from several goroutines while another writes: every
// read sees a consistent module and the generation only grows.
func TestStore_ConcurrentReadersAndWriter(t *testing.T) {
	s := openTemp(t)
	mustNoErr(t, s.AddVersion("t", DefaultRuntime, "x", "1.0.0"))
	const writes = 20
	var wg sync.WaitGroup
	done := make(chan struct{})
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lastGen uint64
			for {
				select {
				case <-done:
					return
				default:
				}
				g := s.Generation()
				if g < lastGen {
					errs <- fmt.Errorf("generation went back: %d -> %d", lastGen, g)
					return
				}
				lastGen = g
				m, err := s.Module(DefaultRuntime, "x")
				if err != nil {
					errs <- err
					return
				}
				if _, ok := m.Lookup(m.Default); !ok || m.Versions[0].Version != "1.0.0" {
					errs <- fmt.Errorf("inconsistent module %+v", m)
					return
				}
			}
		}()
	}
	for i := 1; i <= writes; i++ {
		mustNoErr(t, s.AddVersion("w", DefaultRuntime, "x", fmt.Sprintf("1.%d.0", i)))
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	m, _ := s.Module(DefaultRuntime, "x")
	if len(m.Versions) != writes+1 {
		t.Errorf("%d versions", len(m.Versions))
	}
}
