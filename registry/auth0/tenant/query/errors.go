package query

import (
	"fmt"
	"unicode/utf8"
)

// Error is a malformed or unsupported query. Pos is the 1-based character (not byte) position in the
// query string of the part that is wrong; Msg says what is wrong and, where possible, what to write
// instead.
type Error struct {
	Pos int
	Msg string
}

// Error formats the error as "at position N: message".
func (e *Error) Error() string {
	return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg)
}

// errAt builds an Error for the byte offset off of src.
func errAt(src string, off int, format string, args ...any) *Error {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	return &Error{Pos: utf8.RuneCountInString(src[:off]) + 1, Msg: fmt.Sprintf(format, args...)}
}
