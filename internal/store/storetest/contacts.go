package storetest

import (
	"fmt"
	"slices"
	"testing"

	"faxgate/internal/model"
	"faxgate/internal/store"
)

// testContacts covers contacts, groups, the import batches and the
// do-not-contact lists.
func testContacts(t *testing.T, s *store.Store) {
	f := newFixture(t, s)
	// The list test counts every contact of tenant A: it runs first.
	t.Run("ListSearchSort", func(t *testing.T) { testContactList(t, s, f) })
	t.Run("CRUD", func(t *testing.T) { testContactCRUD(t, s, f) })
	t.Run("Groups", func(t *testing.T) { testGroups(t, s, f) })
	t.Run("Import", func(t *testing.T) { testContactImport(t, s, f) })
	t.Run("DNC", func(t *testing.T) { testDNC(t, s, f) })
	t.Run("ImportJobs", func(t *testing.T) { testContactImports(t, s, f) })
}

func contactID(c model.Contact) string { return c.ID }

func mustContact(t *testing.T, s *store.Store, tenantID, first, last, fax string) model.Contact {
	t.Helper()
	c := model.Contact{TenantID: tenantID, FirstName: first, LastName: last, Fax: fax}
	noErr(t, "CreateContact", s.CreateContact(ctx(t), &c))
	return c
}

func testContactCRUD(t *testing.T, s *store.Store, f fixture) {
	c := model.Contact{TenantID: f.a.ID, FirstName: "Ada", LastName: "Lovelace", Fax: "+442071234567",
		Email: "ada@example.org", Company: "Engines", Address: "London", Description: "first",
		Custom: [5]string{"c1", "", "c3", "", "c5"}}
	noErr(t, "create", s.CreateContact(ctx(t), &c))
	got, err := s.GetContact(ctx(t), f.scopeA, c.ID)
	noErr(t, "get", err)
	diff(t, "get", got, c)
	_, err = s.GetContact(ctx(t), f.scopeB, c.ID)
	wantErr(t, "other tenant get", err, model.ErrNotFound)
	dup := model.Contact{TenantID: f.a.ID, Fax: c.Fax}
	wantConflict(t, "duplicate fax", s.CreateContact(ctx(t), &dup), "fax")
	other := model.Contact{TenantID: f.b.ID, Fax: c.Fax}
	noErr(t, "same fax other tenant", s.CreateContact(ctx(t), &other))
	byFax, err := s.GetContactByFax(ctx(t), f.scopeA, f.a.ID, c.Fax)
	noErr(t, "by fax", err)
	diff(t, "by fax", byFax.ID, c.ID)
	_, err = s.GetContactByFax(ctx(t), f.scopeB, f.a.ID, c.Fax)
	wantErr(t, "by fax other tenant", err, model.ErrNotFound)

	c.Company = "Analytical"
	noErr(t, "update", s.UpdateContact(ctx(t), f.scopeA, &c))
	got, _ = s.GetContact(ctx(t), f.scopeA, c.ID)
	diff(t, "after update", got, c)
	wantErr(t, "update other tenant", s.UpdateContact(ctx(t), f.scopeB, &c), model.ErrNotFound)
	second := mustContact(t, s, f.a.ID, "B", "B", "+442071234568")
	second.Fax = c.Fax
	wantConflict(t, "update to taken fax", s.UpdateContact(ctx(t), f.scopeA, &second), "fax")

	wantErr(t, "delete other tenant", s.DeleteContact(ctx(t), f.scopeB, c.ID), model.ErrNotFound)
	noErr(t, "delete", s.DeleteContact(ctx(t), f.scopeA, c.ID))
	_, err = s.GetContact(ctx(t), f.scopeA, c.ID)
	wantErr(t, "get deleted", err, model.ErrNotFound)
	_, err = s.GetContact(ctx(t), model.Scope{}, second.ID)
	wantErr(t, "zero scope", err, store.ErrInvalidScope)
}

func testContactList(t *testing.T, s *store.Store, f fixture) {
	names := [][2]string{{"Zoe", "Adams"}, {"Bob", "Young"}, {"amy", "Brown"}, {"Carl", "brown"}, {"Dan", "Miller"}}
	var made []model.Contact
	for i, n := range names {
		made = append(made, mustContact(t, s, f.a.ID, n[0], n[1], fmt.Sprintf("+1202555%04d", 100+i)))
	}
	mustContact(t, s, f.b.ID, "Other", "Tenant", "+12025550100")
	var all []string
	o := model.ListOptions{Limit: 2}
	for {
		page, next, err := s.ListContacts(ctx(t), f.scopeA, store.ContactFilter{Sort: store.SortName}, o)
		noErr(t, "list by name", err)
		for _, c := range page {
			all = append(all, c.FirstName)
		}
		if next == "" {
			break
		}
		o.Cursor = next
	}
	// brown amy < brown carl (the case of the stored names does not matter).
	diff(t, "name order", all, []string{"Zoe", "amy", "Carl", "Dan", "Bob"})

	newest, _, err := s.ListContacts(ctx(t), f.scopeA, store.ContactFilter{}, model.ListOptions{})
	noErr(t, "list newest", err)
	want := ids(made, contactID)
	slices.Reverse(want)
	diff(t, "newest first", ids(newest, contactID), want)

	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"BROWN", []string{made[3].ID, made[2].ID}},
		{"amy brown", []string{made[2].ID}},
		{"5550104", []string{made[4].ID}},
		{"nobody", []string{}},
	} {
		got, _, err := s.ListContacts(ctx(t), f.scopeA, store.ContactFilter{Query: tc.q}, model.ListOptions{})
		noErr(t, "search "+tc.q, err)
		diff(t, "search "+tc.q, ids(got, contactID), tc.want)
	}
	_, _, err = s.ListContacts(ctx(t), f.scopeA, store.ContactFilter{Sort: "size"}, model.ListOptions{})
	wantInvalid(t, "bad sort", err, "sort")
	_, _, err = s.ListContacts(ctx(t), f.scopeA, store.ContactFilter{Sort: store.SortName}, model.ListOptions{Cursor: "garbage"})
	wantInvalid(t, "bad name cursor", err, "cursor")
	n, err := s.CountContacts(ctx(t), f.scopeA)
	noErr(t, "count", err)
	diff(t, "count", n, len(names))
}

func testGroups(t *testing.T, s *store.Store, f fixture) {
	g := model.Group{TenantID: f.a.ID, Name: "Clients", Description: "paying"}
	noErr(t, "create group", s.CreateGroup(ctx(t), &g))
	dup := model.Group{TenantID: f.a.ID, Name: "CLIENTS"}
	wantConflict(t, "duplicate name", s.CreateGroup(ctx(t), &dup), "name")
	gb := model.Group{TenantID: f.b.ID, Name: "Clients"}
	noErr(t, "same name other tenant", s.CreateGroup(ctx(t), &gb))

	c1 := mustContact(t, s, f.a.ID, "A", "One", "+33142685300")
	c2 := mustContact(t, s, f.a.ID, "B", "Two", "+33142685301")
	cb := mustContact(t, s, f.b.ID, "X", "Other", "+33142685302")
	n, err := s.AddGroupMembers(ctx(t), f.scopeA, g.ID, []string{c1.ID, c2.ID, c1.ID})
	noErr(t, "add members", err)
	diff(t, "added", n, 2)
	_, err = s.AddGroupMembers(ctx(t), f.scopeA, g.ID, []string{cb.ID})
	wantErr(t, "add other tenant's contact", err, model.ErrNotFound)
	_, err = s.AddGroupMembers(ctx(t), f.scopeB, g.ID, []string{cb.ID})
	wantErr(t, "add to other tenant's group", err, model.ErrNotFound)
	got, err := s.GetGroup(ctx(t), f.scopeA, g.ID)
	noErr(t, "get group", err)
	diff(t, "member count", got.MemberCount, 2)

	second := model.Group{TenantID: f.a.ID, Name: "Suppliers"}
	noErr(t, "second group", s.CreateGroup(ctx(t), &second))
	_, err = s.AddGroupMembers(ctx(t), f.scopeA, second.ID, []string{c1.ID})
	noErr(t, "contact in two groups", err)
	members, _, err := s.ListContacts(ctx(t), f.scopeA, store.ContactFilter{GroupID: g.ID}, model.ListOptions{})
	noErr(t, "list members", err)
	diff(t, "members", ids(members, contactID), []string{c2.ID, c1.ID})

	n, err = s.RemoveGroupMembers(ctx(t), f.scopeA, g.ID, []string{c2.ID, cb.ID})
	noErr(t, "remove", err)
	diff(t, "removed", n, 1)
	var walked []string
	noErr(t, "each", s.EachContact(ctx(t), f.scopeA, g.ID, func(c model.Contact) error {
		walked = append(walked, c.ID)
		return nil
	}))
	diff(t, "each member", walked, []string{c1.ID})

	g.Name = "Suppliers"
	wantConflict(t, "rename to taken", s.UpdateGroup(ctx(t), f.scopeA, &g), "name")
	g.Name = "Customers"
	noErr(t, "rename", s.UpdateGroup(ctx(t), f.scopeA, &g))
	list, _, err := s.ListGroups(ctx(t), f.scopeA, store.GroupFilter{Query: "cust"}, model.ListOptions{})
	noErr(t, "list groups", err)
	if len(list) != 1 || list[0].Name != "Customers" || list[0].MemberCount != 1 {
		t.Errorf("list groups = %+v", list)
	}
	wantErr(t, "delete other tenant's group", s.DeleteGroup(ctx(t), f.scopeB, g.ID), model.ErrNotFound)
	noErr(t, "delete group", s.DeleteGroup(ctx(t), f.scopeA, g.ID))
	_, err = s.GetContact(ctx(t), f.scopeA, c1.ID)
	noErr(t, "contact survives its group", err)
	got, _ = s.GetGroup(ctx(t), f.scopeA, second.ID)
	noErr(t, "delete contact", s.DeleteContact(ctx(t), f.scopeA, c1.ID))
	got, _ = s.GetGroup(ctx(t), f.scopeA, second.ID)
	diff(t, "count after contact deleted", got.MemberCount, 0)
}

func testContactImport(t *testing.T, s *store.Store, f fixture) {
	g := model.Group{TenantID: f.a.ID, Name: "Imported"}
	noErr(t, "group", s.CreateGroup(ctx(t), &g))
	old := mustContact(t, s, f.a.ID, "Old", "Name", "+12025550200")
	old.Email = "keep@example.org"
	noErr(t, "update", s.UpdateContact(ctx(t), f.scopeA, &old))
	row := func(first, fax, company string) model.Contact {
		return model.Contact{TenantID: f.a.ID, FirstName: first, Fax: fax, Company: company}
	}
	n, err := s.ImportContacts(ctx(t), f.a.ID, g.ID, "imp_1", []model.Contact{
		row("New", "+12025550201", "X"),
		row("", "+12025550200", "Acme"), // existing: merged
		row("Dup", "+12025550201", "Y"), // duplicate within the import
	})
	noErr(t, "import batch 1", err)
	diff(t, "batch 1", n, store.ImportCounts{Imported: 1, Updated: 1, Duplicates: 1})
	n, err = s.ImportContacts(ctx(t), f.a.ID, g.ID, "imp_1", []model.Contact{row("Again", "+12025550201", "Z")})
	noErr(t, "import batch 2", err)
	diff(t, "duplicate across batches", n, store.ImportCounts{Duplicates: 1})
	merged, _ := s.GetContact(ctx(t), f.scopeA, old.ID)
	if merged.FirstName != "Old" || merged.Company != "Acme" || merged.Email != "keep@example.org" {
		t.Errorf("merged contact = %+v", merged)
	}
	first, _ := s.GetContactByFax(ctx(t), f.scopeA, f.a.ID, "+12025550201")
	diff(t, "first row wins", [2]string{first.FirstName, first.Company}, [2]string{"New", "X"})
	gg, _ := s.GetGroup(ctx(t), f.scopeA, g.ID)
	diff(t, "group members", gg.MemberCount, 2)
	n, err = s.ImportContacts(ctx(t), f.a.ID, g.ID, "imp_2", []model.Contact{row("Later", "+12025550201", "")})
	noErr(t, "second import", err)
	diff(t, "a later import updates", n, store.ImportCounts{Updated: 1})
	first, _ = s.GetContactByFax(ctx(t), f.scopeA, f.a.ID, "+12025550201")
	diff(t, "merged later import", [2]string{first.FirstName, first.Company}, [2]string{"Later", "X"})
	_, err = s.GetContactByFax(ctx(t), f.scopeB, f.b.ID, "+12025550201")
	wantErr(t, "import stays in its tenant", err, model.ErrNotFound)
}

func testDNC(t *testing.T, s *store.Store, f fixture) {
	d := model.DNCEntry{TenantID: f.a.ID, Number: "+12025550300", Note: "asked", CreatedBy: "x@a.example"}
	noErr(t, "add", s.AddDNC(ctx(t), &d))
	dup := model.DNCEntry{TenantID: f.a.ID, Number: d.Number}
	wantConflict(t, "duplicate", s.AddDNC(ctx(t), &dup), "number")
	global := model.DNCEntry{Number: "+12025550301", Note: "regulator"}
	noErr(t, "add global", s.AddDNC(ctx(t), &global))
	gdup := model.DNCEntry{Number: global.Number}
	wantConflict(t, "duplicate global", s.AddDNC(ctx(t), &gdup), "number")
	alsoGlobal := model.DNCEntry{Number: d.Number, Note: "global too"}
	noErr(t, "tenant number on the global list too", s.AddDNC(ctx(t), &alsoGlobal))

	for _, tc := range []struct {
		tenant, number string
		want           bool
		wantID         string
	}{
		{f.a.ID, d.Number, true, d.ID}, // the tenant's own entry wins
		{f.b.ID, d.Number, true, alsoGlobal.ID},
		{f.a.ID, global.Number, true, global.ID},
		{f.b.ID, global.Number, true, global.ID},
		{f.a.ID, "+12025550399", false, ""},
	} {
		e, ok, err := s.FindDNC(ctx(t), tc.tenant, tc.number)
		noErr(t, "find", err)
		if ok != tc.want || e.ID != tc.wantID {
			t.Errorf("FindDNC(%s, %s) = %v %q, want %v %q", tc.tenant, tc.number, ok, e.ID, tc.want, tc.wantID)
		}
	}
	list, _, err := s.ListDNC(ctx(t), f.scopeA, store.DNCFilter{}, model.ListOptions{})
	noErr(t, "list", err)
	diff(t, "tenant list", ids(list, func(e model.DNCEntry) string { return e.ID }), []string{d.ID})
	list, _, err = s.ListDNC(ctx(t), model.PlatformScope(), store.DNCFilter{Global: true}, model.ListOptions{})
	noErr(t, "list global", err)
	diff(t, "global list", ids(list, func(e model.DNCEntry) string { return e.ID }), []string{alsoGlobal.ID, global.ID})
	_, err = s.GetDNC(ctx(t), f.scopeB, d.ID)
	wantErr(t, "other tenant get", err, model.ErrNotFound)
	wantErr(t, "other tenant remove", s.RemoveDNC(ctx(t), f.scopeB, d.ID), model.ErrNotFound)
	wantErr(t, "tenant removes global", s.RemoveDNC(ctx(t), f.scopeA, global.ID), model.ErrNotFound)
	added, err := s.ImportDNC(ctx(t), []model.DNCEntry{
		{TenantID: f.b.ID, Number: "+12025550310"}, {TenantID: f.b.ID, Number: "+12025550310"},
		{TenantID: f.b.ID, Number: "+12025550311"},
	})
	noErr(t, "import", err)
	diff(t, "imported", added, 2)
	n, _ := s.CountDNC(ctx(t), f.scopeB)
	diff(t, "count b", n, 2)
	noErr(t, "remove", s.RemoveDNC(ctx(t), f.scopeA, d.ID))
	e, _, _ := s.FindDNC(ctx(t), f.a.ID, d.Number)
	diff(t, "global still blocks", e.ID, alsoGlobal.ID)
}

func testContactImports(t *testing.T, s *store.Store, f fixture) {
	g := model.Group{TenantID: f.a.ID, Name: "Job target"}
	noErr(t, "group", s.CreateGroup(ctx(t), &g))
	im := model.ContactImport{ID: model.NewID(model.PrefixImport), TenantID: f.a.ID, GroupID: g.ID, UserID: f.aUser.ID,
		UserEmail: f.aUser.Email, Filename: "x.csv", FileKey: "t/x/imports/x.csv", FileBytes: 100, Options: "{}"}
	noErr(t, "create", s.CreateContactImport(ctx(t), &im))
	if im.Status != model.ImportQueued || im.CreatedAt.IsZero() {
		t.Errorf("created %+v", im)
	}
	got, err := s.GetContactImport(ctx(t), f.scopeA, im.ID)
	noErr(t, "get", err)
	diff(t, "get", got, im)
	_, err = s.GetContactImport(ctx(t), f.scopeB, im.ID)
	wantErr(t, "other tenant", err, model.ErrNotFound)
	noErr(t, "progress", s.SetContactImportProgress(ctx(t), im.ID, model.ImportRunning, 10, 50))
	got, _ = s.GetContactImport(ctx(t), f.scopeA, im.ID)
	diff(t, "progress", [3]any{got.Status, got.RowsDone, got.BytesRead}, [3]any{model.ImportRunning, int64(10), int64(50)})
	noErr(t, "finish", s.FinishContactImport(ctx(t), im.ID, model.ImportDone, 20, 100, `{"total":20}`, ""))
	got, _ = s.GetContactImport(ctx(t), f.scopeA, im.ID)
	diff(t, "finished", [4]any{got.Status, got.RowsDone, got.Result, got.FileKey}, [4]any{model.ImportDone, int64(20), `{"total":20}`, ""})
	wantErr(t, "progress of unknown", s.SetContactImportProgress(ctx(t), "imp_none", model.ImportRunning, 0, 0), model.ErrNotFound)
	noErr(t, "delete group", s.DeleteGroup(ctx(t), f.scopeA, g.ID))
	_, err = s.GetContactImport(ctx(t), f.scopeA, im.ID)
	wantErr(t, "import goes with its group", err, model.ErrNotFound)
}
