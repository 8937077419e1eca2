package ui

import "strings"

// field is what the "input" and "select" templates need to draw one labelled
// form control with its help text and error.
type field struct {
	ID, Name, Label, Type, Value, Error, Help string
	Autocomplete, Inputmode, Placeholder      string
	Min, Max, Maxlength, Pattern, Accept      string
	Required, Autofocus, Disabled             bool
	Options                                   []option
}

// option is one choice of a select.
type option struct {
	Value, Label string
}

// newField builds a field from the form state and "key=value" / flag options
// written in the template, e.g. (input .Form "email" "Login email"
// "type=email" "required" "autocomplete=email").
func newField(f *form, name, label string, opts []string) field {
	fd := field{ID: "f-" + name, Name: name, Label: label, Type: "text"}
	if f != nil {
		fd.Value, fd.Error = f.Get(name), f.Error(name)
	}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		fd.apply(k, v)
	}
	return fd
}

func (fd *field) apply(k, v string) {
	switch k {
	case "type":
		fd.Type = v
	case "help":
		fd.Help = v
	case "autocomplete":
		fd.Autocomplete = v
	case "inputmode":
		fd.Inputmode = v
	case "placeholder":
		fd.Placeholder = v
	case "min":
		fd.Min = v
	case "max":
		fd.Max = v
	case "maxlength":
		fd.Maxlength = v
	case "pattern":
		fd.Pattern = v
	case "accept":
		fd.Accept = v
	case "required":
		fd.Required = true
	case "autofocus":
		fd.Autofocus = true
	case "disabled":
		fd.Disabled = true
	case "id":
		fd.ID = v
	}
}

// inputField is the template function "input".
func inputField(f *form, name, label string, opts ...string) field {
	return newField(f, name, label, opts)
}

// selectField is the template function "choice".
func selectField(f *form, name, label string, options []option, opts ...string) field {
	fd := newField(f, name, label, opts)
	fd.Options = options
	return fd
}
