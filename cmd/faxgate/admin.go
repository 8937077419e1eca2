package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"faxgate/internal/app"
)

// runAdmin dispatches the admin subcommands.
func runAdmin(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		fmt.Fprintln(stderr, "usage: faxgate admin create --email E --password P [--first-name F] [--last-name L] [--data DIR] [--db DSN]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return exitError{2}
	}
	return runAdminCreate(ctx, args[1:], stdout, stderr)
}

// runAdminCreate creates a platform admin in the configured database
// (migrating it first, so it works on a fresh data folder).
func runAdminCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("admin create", stderr)
	email := fs.String("email", "", "login email of the new admin (required)")
	password := fs.String("password", "", "password, 10 to 256 characters (required; env FAXGATE_ADMIN_PASSWORD keeps it out of the process list)")
	first := fs.String("first-name", "", "first name")
	last := fs.String("last-name", "", "last name")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if *password == "" {
		*password = os.Getenv("FAXGATE_ADMIN_PASSWORD")
	}
	var missing []string
	if strings.TrimSpace(*email) == "" {
		missing = append(missing, "--email")
	}
	if *password == "" {
		missing = append(missing, "--password")
	}
	if len(missing) > 0 {
		return errors.New("missing " + strings.Join(missing, " and "))
	}
	a, err := app.New(cfg, app.WithLogger(cfg.NewLogger(stderr)))
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	u, err := a.CreateAdmin(ctx, app.AdminInput{Email: *email, Password: *password, FirstName: *first, LastName: *last})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Created admin %s (%s).\n", u.Email, u.ID)
	return nil
}
