package sandbox

import (
	"math"
	"time"

	"github.com/dlclark/regexp2"
)

// RegexpMatchTimeout bounds one match of a backtracking regular expression. goja runs regular
// expressions that RE2 cannot express (backreferences, lookaround) on regexp2, whose matching is Go
// code that Runtime.Interrupt cannot stop; regexp2 stops a match after its MatchTimeout instead.
const RegexpMatchTimeout = time.Second

// regexp2 reads DefaultMatchTimeout when a pattern is compiled, and goja offers no way to set it per
// pattern, so importing this package sets the process-wide default when nothing else has: a match
// that runs past it ends as "no match" (goja drops the timeout error), and an execution whose deadline
// passed during the match is stopped as soon as the match returns. regexp2 measures the timeout with a
// coarse clock (100 ms ticks) that pauses when no match has used it for a while, so after a pause a
// long match can be cut after about 100 ms instead of a second; matches shorter than that are never
// affected. Package initialisation is the only point at which setting the default is free of data
// races.
func init() {
	if regexp2.DefaultMatchTimeout == time.Duration(math.MaxInt64) {
		regexp2.DefaultMatchTimeout = RegexpMatchTimeout
	}
}
