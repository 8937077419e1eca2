package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"

	"faxgate/internal/model"
	"faxgate/internal/tenancy"
)

// AdminInput describes a platform admin to create.
type AdminInput struct {
	Email, Password, FirstName, LastName string
}

// CreateAdmin creates a platform admin (as the system actor, audited).
// Duplicates answer *model.ConflictError, bad input *model.ValidationError.
func (a *App) CreateAdmin(ctx context.Context, in AdminInput) (model.User, error) {
	return a.tenancy.CreateUser(ctx, model.SystemActor(), tenancy.UserInput{
		Role: model.RoleAdmin, Email: in.Email, Password: in.Password,
		FirstName: in.FirstName, LastName: in.LastName, Status: model.UserActive})
}

// EnsureAdmin creates a platform admin with a random password when the
// database has none; created reports whether it did. The caller shows the
// password to the operator once; it is stored only as a hash.
func (a *App) EnsureAdmin(ctx context.Context, email string) (password string, created bool, err error) {
	n, err := a.store.CountAdmins(ctx)
	if err != nil {
		return "", false, err
	}
	if n > 0 {
		return "", false, nil
	}
	password = randomPassword(20)
	_, err = a.CreateAdmin(ctx, AdminInput{Email: email, Password: password, FirstName: "Admin"})
	var ce *model.ConflictError
	if errors.As(err, &ce) {
		return "", false, nil // another node created it at the same moment
	}
	if err != nil {
		return "", false, err
	}
	return password, true, nil
}

// passwordAlphabet avoids look-alike characters (0/O, 1/l/I) so the
// printed password can be typed from a screen.
const passwordAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// randomPassword returns n characters drawn uniformly from
// passwordAlphabet (about 5.8 bits each: 20 give 117 bits).
func randomPassword(n int) string {
	out := make([]byte, n)
	var b [1]byte
	for i := 0; i < n; {
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("app: crypto/rand failed: %v", err))
		}
		// Reject values past the largest multiple of the alphabet size to
		// keep the draw uniform.
		if int(b[0]) >= 256-256%len(passwordAlphabet) {
			continue
		}
		out[i] = passwordAlphabet[int(b[0])%len(passwordAlphabet)]
		i++
	}
	return string(out)
}
