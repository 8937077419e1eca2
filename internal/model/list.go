package model

// ListOptions asks for one page of a list, newest first. Cursor is the
// opaque next_cursor of the previous page ("" for the first page).
type ListOptions struct {
	Limit  int
	Cursor string
	// Ascending lists oldest first where a list is ordered by time
	// (default newest first); lists with their own sort ignore it.
	Ascending bool
}

// Normalize bounds Limit to 1..max, defaulting to def.
func (o ListOptions) Normalize(def, max int) ListOptions {
	if o.Limit <= 0 {
		o.Limit = def
	}
	if o.Limit > max {
		o.Limit = max
	}
	return o
}
