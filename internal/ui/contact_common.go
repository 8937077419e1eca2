package ui

import (
	"net/http"
	"strconv"
	"strings"

	"faxgate/internal/campaign"
	"faxgate/internal/model"
)

// contactFields are the form fields of a contact, custom1..custom5 last.
var contactFields = []string{"tenant_id", "first_name", "last_name", "fax", "email", "company", "address",
	"description", "custom1", "custom2", "custom3", "custom4", "custom5"}

// contactView is a contact as the pages show it.
type contactView struct {
	model.Contact
	Tenant string // tenant name, for admins
}

// Name is the full name, or "(no name)".
func (c contactView) Name() string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return "(no name)"
}

// URL is the contact's edit page.
func (c contactView) URL() string { return "/contacts/" + c.ID }

// CustomText lists the custom fields that are set, for the list.
func (c contactView) CustomText() string {
	var parts []string
	for _, v := range c.Custom {
		if v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " · ")
}

// zeroContact is the contact of the add form.
var zeroContact model.Contact

// confirmData is the data of the shared delete confirmation box.
type confirmData struct {
	Heading, Text, Action, Button, Back string
}

// loadContact reads the {id} contact the actor may see; it answers 404
// itself (other tenants' contacts too) and returns false then.
func (h *Handler) loadContact(w http.ResponseWriter, r *http.Request) (model.Contact, bool) {
	id := r.PathValue("id")
	if !model.ValidID(model.PrefixContact, id) {
		h.notFoundPage(w, r)
		return model.Contact{}, false
	}
	c, err := h.camp.GetContact(r.Context(), actorOf(r), id)
	if err != nil {
		h.fail(w, r, err)
		return model.Contact{}, false
	}
	return c, true
}

// contactForm is the edit form filled with c.
func contactForm(c model.Contact) *form {
	f := newForm()
	for n, v := range map[string]string{"first_name": c.FirstName, "last_name": c.LastName, "fax": c.Fax,
		"email": c.Email, "company": c.Company, "address": c.Address, "description": c.Description} {
		f.Set(n, v)
	}
	for i, v := range c.Custom {
		f.Set(customField(i), v)
	}
	return f
}

func customField(i int) string { return "custom" + strconv.Itoa(i+1) }

// contactInput reads a posted contact form.
func contactInput(f *form) campaign.ContactInput {
	in := campaign.ContactInput{TenantID: f.Get("tenant_id"), FirstName: f.Get("first_name"),
		LastName: f.Get("last_name"), Fax: f.Get("fax"), Email: f.Get("email"), Company: f.Get("company"),
		Address: f.Get("address"), Description: f.Get("description")}
	for i := range model.MaxContactCustom {
		in.Custom = append(in.Custom, f.Get(customField(i)))
	}
	return in
}

// contactFormData is the data of the add and edit contact pages.
type contactFormData struct {
	Contact model.Contact // zero when adding
	Tenants []option      // admins adding: the tenant
	Customs []option      // custom1..custom5 with their labels
	Action  string
	Back    string
}

// renderContactForm shows the add or edit form with its values and errors.
func (h *Handler) renderContactForm(w http.ResponseWriter, r *http.Request, status int, f *form, c model.Contact) {
	actor := actorOf(r)
	d := contactFormData{Contact: c, Action: "/contacts", Back: "/contacts"}
	title := "Add contact"
	if c.ID != "" {
		title, d.Action = "Edit contact", "/contacts/"+c.ID
	} else if actor.IsAdmin() {
		var err error
		if d.Tenants, err = h.tenantOptions(r.Context(), actor, "Choose a tenant"); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	for i := range model.MaxContactCustom {
		d.Customs = append(d.Customs, option{customField(i), "Custom " + strconv.Itoa(i+1)})
	}
	v := h.newView(w, r, title, "contacts")
	v.Form = f
	v.Data = d
	h.render(w, r, status, "contact_form", v)
}
