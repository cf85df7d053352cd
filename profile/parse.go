package profile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	mseccomp "github.com/moby/profiles/seccomp"
	"github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sysfence/seccomp/internal/libseccomp"
)

// Profile is a parsed profile: Docker's seccomp.json format, of which the
// OCI runtime-spec linux.seccomp object is the subset without archMap,
// includes and excludes. It is moby's own type, with what Parse noticed.
type Profile struct {
	mseccomp.Seccomp
	// UnknownFields are the JSON paths of fields the format does not
	// define. Docker and runc ignore them, and so does this package,
	// unless Options.Strict.
	UnknownFields []string `json:"-"`
	// Folded are the keys spelt otherwise than the format's field names
	// ("defaultaction", "Names"). encoding/json matches keys without
	// regard to case (Unicode simple folding, so "ſyscalls" too), and
	// moby's LoadProfile reads profiles with it: Docker applies them, and
	// so does this package. Where an object holds two keys of one field,
	// the later in the file wins, in Docker as here.
	Folded []Folded `json:"-"`
}

// Folded is a key of a profile spelt otherwise than the format's field
// name, which encoding/json, and so Docker, applies as that field.
type Folded = libseccomp.Folded

// Parse reads a profile in Docker's format (or the runtime-spec's
// linux.seccomp object) and checks every value: the JSON types, the
// actions, operators, architectures, argument indices and minKernel
// versions. An error is a *PathError naming the JSON path and the value
// ("syscalls[12].args[0].op: unknown operator "SCMP_CMP_FOO""). Fields
// the format does not define are not errors: they are listed in
// UnknownFields. Keys spelt in another case are read as Docker reads
// them, and listed in Folded.
func Parse(data []byte) (*Profile, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return nil, syntaxError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, pathErr("$", "", ErrSyntax, "data after the profile's JSON value")
	}
	p := &Profile{}
	if err := profileSchema.check("", tree, p); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &p.Seccomp); err != nil {
		// The schema accepted it, so this is a disagreement between
		// the schema and moby's types: report it at the root.
		return nil, &PathError{Path: "$", Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	if err := p.check(); err != nil {
		return nil, err
	}
	return p, nil
}

// syntaxError names where the JSON broke: the byte offset, as a path
// cannot be known.
func syntaxError(data []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &PathError{Path: fmt.Sprintf("$ (byte %d)", se.Offset), Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
	}
	return &PathError{Path: "$", Err: fmt.Errorf("%w: %v", ErrSyntax, err)}
}

// check validates what the types allow but the format does not.
func (p *Profile) check() error {
	if len(p.Architectures) != 0 && len(p.ArchMap) != 0 {
		return pathErr("archMap", "", ErrInvalid, "and architectures are both given; moby refuses that")
	}
	if p.DefaultAction != "" {
		if err := checkAction("defaultAction", p.DefaultAction); err != nil {
			return err
		}
		if p.DefaultAction == specs.ActNotify {
			return pathErr("defaultAction", string(p.DefaultAction), ErrInvalid, "runc refuses")
		}
	}
	for i, a := range p.Architectures {
		if err := checkArch(fmt.Sprintf("architectures[%d]", i), a); err != nil {
			return err
		}
	}
	for i, m := range p.ArchMap {
		if err := checkArch(fmt.Sprintf("archMap[%d].architecture", i), m.Arch); err != nil {
			return err
		}
		for j, a := range m.SubArches {
			if err := checkArch(fmt.Sprintf("archMap[%d].subArchitectures[%d]", i, j), a); err != nil {
				return err
			}
		}
	}
	for i, f := range p.Flags {
		if _, ok := libseccomp.FlagValues[libseccomp.LinuxSeccompFlag(f)]; !ok {
			return pathErr(fmt.Sprintf("flags[%d]", i), strconv.Quote(string(f)), ErrInvalid, "unknown flag")
		}
	}
	for i, s := range p.Syscalls {
		path := fmt.Sprintf("syscalls[%d]", i)
		if s == nil {
			return pathErr(path, "null", ErrInvalid, "not a rule")
		}
		if s.Name != "" && len(s.Names) != 0 {
			return pathErr(path+".name", strconv.Quote(s.Name), ErrInvalid, "and names are both given; moby refuses that")
		}
		if err := checkSyscall(path, &s.LinuxSyscall, s.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkAction(path string, a specs.LinuxSeccompAction) error {
	return libseccomp.CheckAction(path, libseccomp.LinuxSeccompAction(a))
}

// checkSyscall checks one rule of a parsed profile.
func checkSyscall(path string, s *specs.LinuxSyscall, name string) error {
	c := internalSyscall(s)
	return libseccomp.CheckSyscall(path, &c, name)
}

func checkArch(path string, a specs.Arch) error {
	if _, ok := libseccomp.ABIOf(libseccomp.Arch(a)); !ok {
		return pathErr(path, strconv.Quote(string(a)), ErrInvalid, "unknown architecture")
	}
	return nil
}

// kind is a JSON type in the schema.
type kind int

const (
	kString kind = iota
	kUint        // a non-negative integer of at most bits bits
	kArray
	kObject
)

// schema describes a JSON value of the format.
type schema struct {
	kind   kind
	bits   int                // for kUint
	elem   *schema            // for kArray
	fields map[string]*schema // for kObject
	check_ func(path, s string) error
}

var (
	str     = &schema{kind: kString}
	strList = &schema{kind: kArray, elem: str}
)

func uintOf(bits int) *schema { return &schema{kind: kUint, bits: bits} }

// The format: runtime-spec's LinuxSeccomp, extended by moby's Seccomp,
// Syscall, Architecture and Filter types (field names as in their json
// tags).
var (
	filterSchema = &schema{kind: kObject, fields: map[string]*schema{
		"caps":      strList,
		"arches":    strList,
		"minKernel": {kind: kString, check_: checkKernel},
	}}
	syscallSchema = &schema{kind: kObject, fields: map[string]*schema{
		"names":    strList,
		"name":     str,
		"action":   str,
		"errnoRet": uintOf(16),
		"args": {kind: kArray, elem: &schema{kind: kObject, fields: map[string]*schema{
			"index":    uintOf(32),
			"value":    uintOf(64),
			"valueTwo": uintOf(64),
			"op":       str,
		}}},
		"comment":  str,
		"includes": filterSchema,
		"excludes": filterSchema,
	}}
	profileSchema = &schema{kind: kObject, fields: map[string]*schema{
		"defaultAction":    str,
		"defaultErrnoRet":  uintOf(16),
		"architectures":    strList,
		"flags":            strList,
		"listenerPath":     str,
		"listenerMetadata": str,
		"archMap": {kind: kArray, elem: &schema{kind: kObject, fields: map[string]*schema{
			"architecture":     str,
			"subArchitectures": strList,
		}}},
		"syscalls": {kind: kArray, elem: syscallSchema},
	}}
)

var kindNames = [...]string{kString: "a string", kUint: "a non-negative integer", kArray: "an array", kObject: "an object"}

// describe writes a JSON value for an error message, shortened.
func describe(v any) string {
	var s string
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		s = strconv.Quote(v)
	case json.Number:
		s = v.String()
	case bool:
		s = strconv.FormatBool(v)
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// check walks v, which json decoded with UseNumber, against the schema,
// adding the paths of unknown and folded fields to p. null is accepted
// where Go's encoding/json accepts it (it leaves the zero value).
func (sc *schema) check(path string, v any, p *Profile) error {
	if v == nil {
		return nil
	}
	at := path
	if at == "" {
		at = "$"
	}
	bad := func() error {
		return pathErr(at, describe(v), ErrSyntax, "want %s, not", kindNames[sc.kind])
	}
	switch sc.kind {
	case kString:
		s, ok := v.(string)
		if !ok {
			return bad()
		}
		if sc.check_ != nil {
			return sc.check_(at, s)
		}
	case kUint:
		n, ok := v.(json.Number)
		if !ok {
			return bad()
		}
		if _, err := strconv.ParseUint(n.String(), 10, sc.bits); err != nil {
			return pathErr(at, n.String(), ErrSyntax, "want an integer from 0 to %d, not", uint64(1)<<sc.bits-1)
		}
	case kArray:
		a, ok := v.([]any)
		if !ok {
			return bad()
		}
		for i, e := range a {
			if err := sc.elem.check(fmt.Sprintf("%s[%d]", path, i), e, p); err != nil {
				return err
			}
		}
	case kObject:
		m, ok := v.(map[string]any)
		if !ok {
			return bad()
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fpath := k
			if path != "" {
				fpath = path + "." + k
			}
			f, ok := sc.fields[k]
			if !ok {
				// encoding/json prefers the exact name and takes
				// one equal under simple case folding otherwise
				// (encoding/json's foldName is bytes.EqualFold).
				for _, name := range slices.Sorted(maps.Keys(sc.fields)) {
					if strings.EqualFold(k, name) {
						f = sc.fields[name]
						p.Folded = append(p.Folded, Folded{Path: fpath, Field: name})
						break
					}
				}
			}
			if f == nil {
				p.UnknownFields = append(p.UnknownFields, fpath)
				continue
			}
			if err := f.check(fpath, m[k], p); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkKernel accepts what moby's KernelVersion reads: "", or
// "<kernel>.<major>" with numbers up to 255, not both 0.
func checkKernel(path, s string) error {
	if s == "" {
		return nil
	}
	if strings.Count(s, ".") != 1 {
		return pathErr(path, strconv.Quote(s), ErrInvalid, "want \"<kernel>.<major>\", not")
	}
	if _, err := parseKernel(s); err != nil {
		return pathErr(path, strconv.Quote(s), ErrInvalid, "%v:", err)
	}
	return nil
}

// parseKernel reads "6.8" or a release such as "6.8.0-45-generic" (the
// first two numbers count, as in moby).
func parseKernel(s string) (mseccomp.KernelVersion, error) {
	var kv mseccomp.KernelVersion
	parts := strings.SplitN(s, ".", 3)
	if len(parts) < 2 {
		return kv, errors.New(`want "<kernel>.<major>"`)
	}
	major := parts[1]
	if i := strings.IndexFunc(major, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		major = major[:i]
	}
	var err error
	if kv.Kernel, err = strconv.ParseUint(parts[0], 10, 8); err != nil {
		return kv, errors.New(`want "<kernel>.<major>", numbers up to 255`)
	}
	if kv.Major, err = strconv.ParseUint(major, 10, 8); err != nil {
		return kv, errors.New(`want "<kernel>.<major>", numbers up to 255`)
	}
	if kv.Kernel == 0 && kv.Major == 0 {
		return kv, errors.New("version cannot be 0.0")
	}
	return kv, nil
}

// Marshal writes a profile as indented JSON, in the field order of the
// ecosystem's types.
func Marshal(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "\t")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
