package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestActionOptionsCoverEveryAction reads every audit action constant
// declared in the code (a const named Action… or action… whose value is a
// dotted name) and checks that System Activities offers it as a filter,
// and its area ("fax" of "fax.canceled") too.
func TestActionOptionsCoverEveryAction(t *testing.T) {
	offered := map[string]bool{}
	for _, o := range actionOptions() {
		if offered[o.Value] {
			t.Errorf("action %q offered twice", o.Value)
		}
		offered[o.Value] = true
	}
	found := 0
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
			strings.Contains(path, "storetest") || strings.Contains(path, "authtest") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					n := name.Name
					if (!strings.HasPrefix(n, "Action") && !strings.HasPrefix(n, "action")) || i >= len(vs.Values) {
						continue
					}
					lit, ok := vs.Values[i].(*ast.BasicLit)
					if !ok || lit.Kind != token.STRING {
						continue
					}
					v, _ := strconv.Unquote(lit.Value)
					area, _, dotted := strings.Cut(v, ".")
					if !dotted {
						continue
					}
					found++
					if !offered[v] {
						t.Errorf("%s: action %s (%q) is not among the System Activities filters", path, n, v)
					}
					if !offered[area] {
						t.Errorf("%s: the area %q of %s is not among the System Activities filters", path, area, n)
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 70 {
		t.Fatalf("only %d action constants found: is the scan reading the domain packages?", found)
	}
}
