package campaign_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
	"faxgate/internal/store"
)

// fax returns the i-th distinct valid US number.
func fax(i int) string { return fmt.Sprintf("+1202%03d%04d", 200+i/10000, i%10000) }

// latin1 encodes s (Latin-1 characters only) as ISO 8859-1 bytes.
func latin1(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

func tenPercentBad() string {
	var b strings.Builder
	b.WriteString("Name,Fax\n")
	for i := range 100 {
		if i%10 == 3 {
			fmt.Fprintf(&b, "Bad %d,12345\n", i)
			continue
		}
		fmt.Fprintf(&b, "Person %d,%s\n", i, fax(i))
	}
	return b.String()
}

func TestImportCSV(t *testing.T) {
	type want struct {
		total, imported, updated, dups, invalid int
		errLines                                []int
		enc, delim                              string
	}
	tests := []struct {
		name    string
		csv     string
		opts    campaign.ImportOptions
		want    want
		wantErr string                            // substring of the error ("" = none)
		check   func(*testing.T, []model.Contact) // the group's contacts, oldest first
	}{
		{name: "plain", csv: "First Name,Last Name,Fax Number,E-mail,Company\nAda,Lovelace,(202) 555-0123,ada@example.org,Engines\n",
			want: want{total: 1, imported: 1, enc: "utf-8", delim: ","},
			check: func(t *testing.T, cs []model.Contact) {
				c := cs[0]
				if c.FirstName != "Ada" || c.LastName != "Lovelace" || c.Fax != "+12025550123" || c.Email != "ada@example.org" || c.Company != "Engines" {
					t.Errorf("contact %+v", c)
				}
			}},
		{name: "quoted fields and embedded newlines",
			csv:  "name,fax,address,notes\n\"Smith, John\",2025550123,\"1 Main St\nFloor 2\",\"says \"\"hi\"\"\"\nX,bad,,\n",
			want: want{total: 2, imported: 1, invalid: 1, errLines: []int{4}, enc: "utf-8", delim: ","},
			check: func(t *testing.T, cs []model.Contact) {
				c := cs[0]
				if c.FirstName != "Smith," || c.LastName != "John" || c.Address != "1 Main St\nFloor 2" || c.Description != `says "hi"` {
					t.Errorf("contact %+v", c)
				}
			}},
		{name: "BOM and semicolons", csv: "\xEF\xBB\xBFFax;Organisation;custom1\n+44 20 7946 0480;Straße AG;x\n",
			want: want{total: 1, imported: 1, enc: "utf-8-bom", delim: ";"},
			check: func(t *testing.T, cs []model.Contact) {
				if cs[0].Company != "Straße AG" || cs[0].Fax != "+442079460480" || cs[0].Custom[0] != "x" {
					t.Errorf("contact %+v", cs[0])
				}
			}},
		{name: "Latin-1", csv: latin1("Nom,Fax,Company\nJosé Müller,2025550123,Café Zürich\n"),
			want: want{total: 1, imported: 1, enc: "windows-1252", delim: ","},
			check: func(t *testing.T, cs []model.Contact) {
				if cs[0].Company != "Café Zürich" {
					t.Errorf("company %q", cs[0].Company)
				}
			}},
		{name: "tabs", csv: "Phone\tFirst\n2025550123\tTab\n", want: want{total: 1, imported: 1, enc: "utf-8", delim: "\t"}},
		{name: "pipes", csv: "Phone|First\n2025550123|Pipe\n", want: want{total: 1, imported: 1, enc: "utf-8", delim: "|"}},
		{name: "lazy quotes", csv: "fax,name\n2025550123,O\"Brien\n", want: want{total: 1, imported: 1, enc: "utf-8", delim: ","},
			check: func(t *testing.T, cs []model.Contact) {
				if cs[0].FirstName != `O"Brien` {
					t.Errorf("name %q", cs[0].FirstName)
				}
			}},
		{name: "missing fax header", csv: "Name,Email\nA,a@example.org\n", wantErr: "no fax number column"},
		{name: "empty file", csv: "", wantErr: "empty"},
		{name: "blank lines only", csv: "\n\n  \n", wantErr: "empty"},
		{name: "header only", csv: "Fax,Name\n", want: want{enc: "utf-8", delim: ","}},
		{name: "blank lines skipped", csv: "Fax\n\n2025550123\n\n", want: want{total: 1, imported: 1, enc: "utf-8", delim: ","}},
		{name: "10 percent bad rows", csv: tenPercentBad(),
			want: want{total: 100, imported: 90, invalid: 10, errLines: []int{5, 15, 25, 35, 45, 55, 65, 75, 85, 95}, enc: "utf-8", delim: ","}},
		{name: "duplicates in the file", csv: "fax,company\n2025550123,First\n+1 202 555 0123,Second\n202.555.0123,\n",
			want: want{total: 3, imported: 1, dups: 2, enc: "utf-8", delim: ","},
			check: func(t *testing.T, cs []model.Contact) {
				if len(cs) != 1 || cs[0].Company != "First" {
					t.Errorf("contacts %+v", cs)
				}
			}},
		{name: "field over its limit", csv: "fax,company\n2025550123," + strings.Repeat("x", 201) + "\n2025550124,ok\n",
			want: want{total: 2, imported: 1, invalid: 1, errLines: []int{2}, enc: "utf-8", delim: ","}},
		{name: "unterminated quote is bounded", csv: "fax,notes\n2025550123,\"" + strings.Repeat("y", campaign.MaxRecordBytes+8192) + "\n",
			wantErr: "longer than 1 MiB"},
		{name: "explicit mapping", csv: "Col A,Col B,Phone\n2025550123,Zed,2025550999\n",
			opts: campaign.ImportOptions{Mapping: map[string]string{"col a": "fax", "Col B": "last_name"}},
			want: want{total: 1, imported: 1, enc: "utf-8", delim: ","},
			check: func(t *testing.T, cs []model.Contact) {
				if cs[0].Fax != "+12025550123" || cs[0].LastName != "Zed" {
					t.Errorf("contact %+v", cs[0])
				}
			}},
		{name: "mapping names a missing column", csv: "a\n1\n", opts: campaign.ImportOptions{Mapping: map[string]string{"b": "fax"}}, wantErr: "no column"},
		{name: "mapping without fax", csv: "a,b\n1,2\n", opts: campaign.ImportOptions{Mapping: map[string]string{"a": "email"}}, wantErr: "no fax number column"},
		{name: "forced encoding and delimiter", csv: latin1("fax;company\n2025550123;Müller\n"),
			opts: campaign.ImportOptions{CSV: campaign.CSVOptions{Delimiter: ';', Encoding: "latin1"}},
			want: want{total: 1, imported: 1, enc: "windows-1252", delim: ";"}},
		{name: "UTF-16 refused", csv: "\xFF\xFEf\x00a\x00x\x00", wantErr: "UTF-16"},
	}
	forEngine(t, func(t *testing.T, e *env) {
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				g, err := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: fmt.Sprintf("g%d", i)})
				if err != nil {
					t.Fatal(err)
				}
				// Each case starts from an empty address book.
				clearContacts(t, e)
				res, err := e.svc.ImportGroupCSV(ctx(t), e.userA, g.ID, strings.NewReader(tc.csv), tc.opts)
				if tc.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
						t.Fatalf("error = %v, want %q", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var lines []int
				for _, re := range res.Errors {
					lines = append(lines, re.Line)
					if re.Reason == "" {
						t.Errorf("line %d: no reason", re.Line)
					}
				}
				got := want{res.Total, res.Imported, res.Updated, res.Duplicates, res.Invalid, lines, res.Encoding, res.Delimiter}
				if fmt.Sprint(got) != fmt.Sprint(tc.want) {
					t.Errorf("result %+v (errors %v), want %+v", got, res.Errors, tc.want)
				}
				members := groupContacts(t, e, g.ID)
				if n := res.Imported + res.Updated; len(members) != n {
					t.Errorf("group has %d members, want %d", len(members), n)
				}
				if tc.check != nil && len(members) > 0 {
					tc.check(t, members)
				}
			})
		}
	})
}

func clearContacts(t *testing.T, e *env) {
	t.Helper()
	for {
		items, _, err := e.st.ListContacts(ctx(t), model.TenantScope(e.tenantA.ID), store.ContactFilter{}, model.ListOptions{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) == 0 {
			return
		}
		for _, c := range items {
			if err := e.st.DeleteContact(ctx(t), model.TenantScope(e.tenantA.ID), c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func groupContacts(t *testing.T, e *env, groupID string) []model.Contact {
	t.Helper()
	var out []model.Contact
	err := e.st.EachContact(ctx(t), model.PlatformScope(), groupID, func(c model.Contact) error {
		out = append(out, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestImportMerge: existing contacts are updated with the non-empty cells,
// members join the group, other tenants are untouched, errors are capped.
func TestImportMerge(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		old, err := e.svc.CreateContact(ctx(t), e.userA, campaign.ContactInput{FirstName: "Old", Fax: "2025550123", Email: "keep@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		bSide, err := e.svc.CreateContact(ctx(t), e.userB, campaign.ContactInput{FirstName: "B", Fax: "2025550123"})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Merge"})
		in := "fax,first name,email,company\n2025550123,,,NewCo\n2025550124,New,,\nbad,,,\nworse,,,\n"
		res, err := e.svc.ImportGroupCSV(ctx(t), e.userA, g.ID, strings.NewReader(in), campaign.ImportOptions{MaxErrors: 1, BatchSize: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Imported != 1 || res.Updated != 1 || res.Invalid != 2 || len(res.Errors) != 1 || res.Errors[0].Line != 4 {
			t.Errorf("result %+v", res)
		}
		got, _ := e.svc.GetContact(ctx(t), e.userA, old.ID)
		if got.FirstName != "Old" || got.Email != "keep@example.org" || got.Company != "NewCo" {
			t.Errorf("merged %+v", got)
		}
		b, _ := e.svc.GetContact(ctx(t), e.userB, bSide.ID)
		if b.Company != "" || b.FirstName != "B" {
			t.Errorf("tenant B's contact changed: %+v", b)
		}
		_, err = e.svc.ImportGroupCSV(ctx(t), e.userB, g.ID, strings.NewReader(in), campaign.ImportOptions{})
		wantIs(t, "import into another tenant's group", err, model.ErrNotFound)
		if got := auditActions(t, e, e.tenantA.ID, "group"); !slices.Contains(got, model.ActionGroupImported) {
			t.Errorf("audit %v lacks %s", got, model.ActionGroupImported)
		}
	})
}

func TestImportProgress(t *testing.T) {
	e := newEnv(t, openSQLite(t))
	g, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "P"})
	var b strings.Builder
	b.WriteString("fax\n")
	for i := range 2500 {
		b.WriteString(fax(i) + "\n")
	}
	var seen []campaign.Progress
	res, err := e.svc.ImportGroupCSV(ctx(t), e.userA, g.ID, strings.NewReader(b.String()), campaign.ImportOptions{
		BatchSize: 1000, Progress: func(p campaign.Progress) { seen = append(seen, p) }})
	if err != nil || res.Imported != 2500 {
		t.Fatalf("import: %+v %v", res, err)
	}
	rows := make([]int, len(seen))
	for i, p := range seen {
		rows[i] = p.Rows
	}
	if !slices.Equal(rows, []int{1000, 2000, 2500, 2500}) || !seen[len(seen)-1].Done || seen[len(seen)-1].BytesRead != int64(b.Len()) {
		t.Errorf("progress %+v", seen)
	}
}

func TestGroupsAndExport(t *testing.T) {
	forEngine(t, func(t *testing.T, e *env) {
		g, err := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: " Clients ", Description: "d"})
		if err != nil || g.Name != "Clients" {
			t.Fatalf("create: %+v %v", g, err)
		}
		_, err = e.svc.CreateGroup(ctx(t), e.adminA, campaign.GroupInput{Name: "clients"})
		wantConflict(t, "duplicate name", err, "name")
		_, err = e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: " "})
		wantField(t, "blank name", err, "name")
		_, err = e.svc.GetGroup(ctx(t), e.userB, g.ID)
		wantIs(t, "cross-tenant get", err, model.ErrNotFound)

		c1, _ := e.svc.CreateContact(ctx(t), e.userA, campaign.ContactInput{FirstName: "=cmd()", LastName: "L", Fax: "2025550123", Address: "a\nb"})
		c2, _ := e.svc.CreateContact(ctx(t), e.userA, campaign.ContactInput{FirstName: "Zoë", Fax: "2025550124", Custom: []string{"", "", "", "", "five"}})
		cB, _ := e.svc.CreateContact(ctx(t), e.userB, campaign.ContactInput{Fax: "2025550125"})
		n, err := e.svc.AddMembers(ctx(t), e.userA, g.ID, []string{c1.ID, c2.ID})
		if err != nil || n != 2 {
			t.Fatalf("add: %d %v", n, err)
		}
		_, err = e.svc.AddMembers(ctx(t), e.userA, g.ID, []string{cB.ID})
		wantIs(t, "add another tenant's contact", err, model.ErrNotFound)
		_, err = e.svc.AddMembers(ctx(t), e.userB, g.ID, []string{cB.ID})
		wantIs(t, "add to another tenant's group", err, model.ErrNotFound)
		g2, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Other"})
		if _, err := e.svc.AddMembers(ctx(t), e.userA, g2.ID, []string{c1.ID}); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.GetGroup(ctx(t), e.userA, g.ID)
		if got.MemberCount != 2 {
			t.Errorf("member count %d", got.MemberCount)
		}
		members, next, err := e.svc.ListMembers(ctx(t), e.userA, g.ID, store.ContactFilter{Sort: store.SortName}, model.ListOptions{Limit: 1})
		if err != nil || len(members) != 1 || next == "" {
			t.Errorf("members page 1: %v %q %v", members, next, err)
		}

		var out bytes.Buffer
		if err := e.svc.ExportGroupCSV(ctx(t), e.userA, g.ID, &out); err != nil {
			t.Fatal(err)
		}
		wantCSV := "first_name,last_name,fax,email,company,address,description,custom1,custom2,custom3,custom4,custom5\n" +
			"'=cmd(),L,+12025550123,,,\"a\nb\",,,,,,\n" +
			"Zoë,,+12025550124,,,,,,,,,five\n"
		if out.String() != wantCSV {
			t.Errorf("export:\n%s\nwant:\n%s", out.String(), wantCSV)
		}
		wantIs(t, "cross-tenant export", e.svc.ExportGroupCSV(ctx(t), e.userB, g.ID, &bytes.Buffer{}), model.ErrNotFound)

		// The export imports again: same numbers -> updated, no new contacts.
		g3, _ := e.svc.CreateGroup(ctx(t), e.userA, campaign.GroupInput{Name: "Round trip"})
		res, err := e.svc.ImportGroupCSV(ctx(t), e.userA, g3.ID, bytes.NewReader(out.Bytes()), campaign.ImportOptions{})
		if err != nil || res.Updated != 2 || res.Imported != 0 || res.Invalid != 0 {
			t.Errorf("re-import: %+v %v", res, err)
		}

		n, err = e.svc.RemoveMembers(ctx(t), e.userA, g.ID, []string{c1.ID})
		if err != nil || n != 1 {
			t.Errorf("remove: %d %v", n, err)
		}
		if err := e.svc.DeleteGroup(ctx(t), e.userA, g.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.GetContact(ctx(t), e.userA, c2.ID); err != nil {
			t.Errorf("contact gone with its group: %v", err)
		}
		want := []string{model.ActionGroupCreated, model.ActionGroupCreated, model.ActionGroupCreated,
			model.ActionGroupDeleted, model.ActionGroupImported, model.ActionGroupMembers, model.ActionGroupMembers, model.ActionGroupMembers}
		slices.Sort(want)
		if got := auditActions(t, e, e.tenantA.ID, "group"); !slices.Equal(got, want) {
			t.Errorf("audit %v, want %v", got, want)
		}
	})
}
