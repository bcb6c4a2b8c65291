package ghclient

// scanner walks a JSON text just far enough to count the items of a list
// page (see pageItems) without decoding it. It checks the structure it
// walks (brackets, strings, separators) and gives up (ok false) on
// anything it does not understand; scalars are skipped, not validated.
type scanner struct {
	b     []byte
	i     int
	depth int
}

// maxDepth bounds nesting, as encoding/json does, so a hostile body
// cannot exhaust the stack.
const maxDepth = 10000

// objectShape is what pageItems needs of a top-level object.
type objectShape struct {
	fields   int
	total    bool // has a "total_count" field
	maxArray int  // items of its largest array field, notList if none
}

func (s *scanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *scanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// end reports whether only white space is left.
func (s *scanner) end() bool {
	s.space()
	return s.i == len(s.b)
}

// str skips a string and returns its raw contents (escapes kept).
func (s *scanner) str() ([]byte, bool) {
	if s.peek() != '"' {
		return nil, false
	}
	start := s.i + 1
	for s.i = start; s.i < len(s.b); s.i++ {
		switch s.b[s.i] {
		case '\\':
			s.i++
		case '"':
			s.i++
			return s.b[start : s.i-1], true
		}
	}
	return nil, false
}

// array skips an array and returns how many elements it has.
func (s *scanner) array() (int, bool) {
	if s.depth++; s.depth > maxDepth {
		return 0, false
	}
	defer func() { s.depth-- }()
	s.i++ // [
	s.space()
	if s.peek() == ']' {
		s.i++
		return 0, true
	}
	for n := 1; ; n++ {
		if !s.value() {
			return 0, false
		}
		s.space()
		switch s.peek() {
		case ',':
			s.i++
			s.space()
		case ']':
			s.i++
			return n, true
		default:
			return 0, false
		}
	}
}

// object skips an object and describes its top-level fields.
func (s *scanner) object() (objectShape, bool) {
	o := objectShape{maxArray: notList}
	if s.depth++; s.depth > maxDepth {
		return o, false
	}
	defer func() { s.depth-- }()
	s.i++ // {
	s.space()
	if s.peek() == '}' {
		s.i++
		return o, true
	}
	for {
		key, ok := s.str()
		if !ok {
			return o, false
		}
		s.space()
		if s.peek() != ':' {
			return o, false
		}
		s.i++
		s.space()
		o.fields++
		o.total = o.total || string(key) == "total_count"
		if s.peek() == '[' {
			n, ok := s.array()
			if !ok {
				return o, false
			}
			o.maxArray = max(o.maxArray, n)
		} else if !s.value() {
			return o, false
		}
		s.space()
		switch s.peek() {
		case ',':
			s.i++
			s.space()
		case '}':
			s.i++
			return o, true
		default:
			return o, false
		}
	}
}

// value skips one value at s.i (white space already skipped).
func (s *scanner) value() bool {
	switch c := s.peek(); c {
	case '"':
		_, ok := s.str()
		return ok
	case '[':
		_, ok := s.array()
		return ok
	case '{':
		_, ok := s.object()
		return ok
	case 0, ',', ']', '}', ':':
		return false
	}
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', ']', '}', ' ', '\t', '\n', '\r':
			return s.i > start
		case '"', '[', '{', ':':
			return false
		}
		s.i++
	}
	return s.i > start
}
