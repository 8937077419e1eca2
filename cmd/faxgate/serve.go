package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"faxgate/internal/app"
	"faxgate/internal/config"
)

// defaultAdminEmail is the login of the first admin serve creates on an
// empty database.
const defaultAdminEmail = "admin@localhost"

// runServe migrates the database, creates a first admin when there is none
// (printing its login and random password once, on stdout), and serves
// until SIGINT/SIGTERM, then shuts down gracefully.
func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", stderr)
	adminEmail := fs.String("admin-email", defaultAdminEmail,
		"login of the first admin created when the database has none (env FAXGATE_ADMIN_EMAIL)")
	cfg, err := loadConfig(fs, args)
	if err != nil {
		return err
	}
	if !flagSet(fs, "admin-email") {
		if v := os.Getenv("FAXGATE_ADMIN_EMAIL"); v != "" {
			*adminEmail = v
		}
	}
	log := cfg.NewLogger(stderr)
	a, err := app.New(cfg, app.WithLogger(log), app.WithVersion(version))
	if err != nil {
		return err
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	pw, created, err := a.EnsureAdmin(ctx, *adminEmail)
	if err != nil {
		return fmt.Errorf("first admin: %w", err)
	}
	if created {
		// The only place the password ever appears; never logged.
		fmt.Fprintf(stdout, "First admin: %s / %s\n", strings.ToLower(*adminEmail), pw)
		log.Info("first admin created; its password was printed on standard output", "email", *adminEmail)
	}
	return a.Run(ctx)
}

// newFlagSet returns a flag set that reports errors instead of exiting.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("faxgate "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// loadConfig registers the common flags on fs and builds the configuration
// like config.Load (defaults <- environment <- flags, then Validate), but
// tells a bad command line (exit 2, the flag package already printed why;
// -h exits 0) from an invalid configuration (an error, exit 1).
func loadConfig(fs *flag.FlagSet, args []string) (config.Config, error) {
	cfg := config.Default()
	cfg.ApplyEnv(os.Getenv)
	cfg.RegisterFlags(fs)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return cfg, exitError{0}
	} else if err != nil {
		return cfg, exitError{2}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return cfg, exitError{2}
	}
	return cfg, cfg.Validate()
}

func flagSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}
