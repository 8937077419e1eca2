package ui

import "faxgate/internal/model"

// navItem is one menu entry. Items with the same Group are shown together
// under the group's heading, in the order of their first appearance.
type navItem struct {
	Key   string // page key; a view with Active == Key marks the entry aria-current
	Label string
	Path  string
	Group string // "" = top-level entry
	Roles []model.Role
}

// portalMenu is the portal navigation, following the product guide's tenant
// menus. It is the one place a capability adds its entry, and it does so only
// once its pages work. Planned, in guide order: Send Bulk Fax, Send Single
// Fax, Receive Fax, Contacts (Groups, Contacts, Contact DNC), Fax Documents,
// My DIDs, My CIDs (top level), Configuration (Fax Settings, Cover Page,
// Announcement) and Reports > CDR Reports.
func portalMenu() []navItem {
	everyone := []model.Role{model.RoleAdmin, model.RoleTenant, model.RoleUser}
	tenants := []model.Role{model.RoleTenant}
	admins := []model.Role{model.RoleAdmin}
	return []navItem{
		{Key: "dashboard", Label: "Dashboard", Path: "/", Roles: everyone},
		{Key: "documents", Label: "Fax Documents", Path: "/documents", Roles: everyone},
		{Key: "tenants", Label: "Tenants", Path: "/admin/tenants", Group: "Administration", Roles: admins},
		{Key: "all-users", Label: "Users (all tenants)", Path: "/admin/all-users", Group: "Administration", Roles: admins},
		{Key: "branding", Label: "Branding", Path: "/admin/branding", Group: "Administration", Roles: tenants},
		{Key: "users", Label: "User Management", Path: "/admin/users", Group: "Administration", Roles: tenants},
		{Key: "activities", Label: "System Activities", Path: "/reports/activities", Group: "Reports", Roles: everyone},
		{Key: "profile", Label: "Profile", Path: "/profile", Roles: everyone},
	}
}

// navLink is a menu entry as the template shows it.
type navLink struct {
	Label, Path string
	Current     bool
}

// navSection is a group heading with its links, or a single top-level link
// (Label "").
type navSection struct {
	Label string
	Links []navLink
}

// buildNav returns the sections visible to role, marking the active page.
func buildNav(menu []navItem, role model.Role, active string) []navSection {
	var out []navSection
	index := map[string]int{}
	for _, it := range menu {
		if !hasRole(it.Roles, role) {
			continue
		}
		link := navLink{Label: it.Label, Path: it.Path, Current: it.Key == active}
		if it.Group == "" {
			out = append(out, navSection{Links: []navLink{link}})
			continue
		}
		i, ok := index[it.Group]
		if !ok {
			i = len(out)
			index[it.Group] = i
			out = append(out, navSection{Label: it.Group})
		}
		out[i].Links = append(out[i].Links, link)
	}
	return out
}

func hasRole(roles []model.Role, r model.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}
