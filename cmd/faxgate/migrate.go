package main

import (
	"context"
	"fmt"
	"io"

	"faxgate/internal/store"
)

// runMigrate brings the configured database up to date and exits.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := loadConfig(newFlagSet("migrate", stderr), args)
	if err != nil {
		return err
	}
	log := cfg.NewLogger(stderr)
	st, err := store.Open(ctx, cfg.DB, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Database migrated (%s).\n", st.Engine())
	return nil
}
