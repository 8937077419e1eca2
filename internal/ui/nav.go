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
		{Key: "campaigns", Label: "Send Bulk Fax", Path: "/campaigns", Roles: everyone},
		{Key: "outbound", Label: "Send Single Fax", Path: "/outbound", Roles: everyone},
		{Key: "inbox", Label: "Receive Fax", Path: "/inbox", Roles: everyone},
		{Key: "groups", Label: "Groups", Path: "/groups", Group: "Contacts", Roles: everyone},
		{Key: "contacts", Label: "Contacts", Path: "/contacts", Group: "Contacts", Roles: everyone},
		{Key: "dnc", Label: "Contact DNC", Path: "/dnc", Group: "Contacts", Roles: everyone},
		{Key: "documents", Label: "Fax Documents", Path: "/documents", Roles: everyone},
		{Key: "dids", Label: "My DIDs", Path: "/dids", Roles: []model.Role{model.RoleTenant, model.RoleUser}},
		{Key: "cids", Label: "My CIDs", Path: "/cids", Roles: []model.Role{model.RoleTenant, model.RoleUser}},
		{Key: "tenants", Label: "Tenants", Path: "/admin/tenants", Group: "Administration", Roles: admins},
		{Key: "all-users", Label: "Users (all tenants)", Path: "/admin/all-users", Group: "Administration", Roles: admins},
		{Key: "global-dnc", Label: "Global DNC", Path: "/admin/dnc", Group: "Administration", Roles: admins},
		{Key: "trunks", Label: "Trunks", Path: "/admin/trunks", Group: "Administration", Roles: admins},
		{Key: "cid-pool", Label: "Caller IDs", Path: "/admin/cids", Group: "Administration", Roles: admins},
		{Key: "did-pool", Label: "DID Pool", Path: "/admin/dids", Group: "Administration", Roles: admins},
		{Key: "branding", Label: "Branding", Path: "/admin/branding", Group: "Administration", Roles: tenants},
		{Key: "users", Label: "User Management", Path: "/admin/users", Group: "Administration", Roles: tenants},
		{Key: "fax-settings", Label: "Fax Settings", Path: "/settings/fax", Group: "Configuration", Roles: tenants},
		{Key: "cover-page", Label: "Cover Page", Path: "/settings/cover-page", Group: "Configuration", Roles: tenants},
		{Key: "fax-email", Label: "Fax-to-Email", Path: "/settings/fax-email", Group: "Configuration", Roles: tenants},
		{Key: "email-allowlist", Label: "Email to Fax", Path: "/settings/email-allowlist", Group: "Configuration", Roles: tenants},
		{Key: "webhooks", Label: "Webhooks", Path: "/settings/webhooks", Group: "Configuration", Roles: tenants},
		{Key: "announcements", Label: "Announcement", Path: "/settings/announcements", Group: "Configuration", Roles: tenants},
		{Key: "announcements", Label: "Announcements", Path: "/settings/announcements", Group: "Administration", Roles: admins},
		{Key: "platform", Label: "Platform settings", Path: "/admin/platform", Group: "Administration", Roles: admins},
		{Key: "health", Label: "Platform health", Path: "/admin/health", Group: "Administration", Roles: admins},
		{Key: "cdr", Label: "CDR Reports", Path: "/reports/cdr", Group: "Reports", Roles: everyone},
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
