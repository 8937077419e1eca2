package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"faxgate/internal/model"
	"faxgate/internal/seal"
)

// Secret columns are sealed with the key given to UseSecretKey (package
// seal): every write stores "enc:v1:..." and every read decrypts; the
// column name is the additional data. Old clear values read as they are
// and SealClearSecrets rewrites them once at start. Without a key (tests
// that open a bare store) values stay in clear.
const (
	colTOTPSecret      = "users.totp_secret"
	colSMTPPassword    = "settings.platform.smtp.password"
	colWebhookSecret   = "webhook_endpoints.secret"
	colWebhookPrevious = "webhook_endpoints.previous_secret"
	colTargetSecret    = "webhook_deliveries.target_secret"
	colDIDWebhook      = "dids.webhook_secret"
	colTrunkPassword   = "trunks.password"
	colFlashKey        = "secrets.flash_key"
)

// ErrWrongSecretKey says the database's secrets were sealed with another
// key than this node's --secret-key-file.
var ErrWrongSecretKey = errors.New("store: the secret key file does not match the key this database's secrets were encrypted with")

// UseSecretKey sets the key that seals secret columns. Call it once, right
// after Open, before the store is used.
func (s *Store) UseSecretKey(k *seal.Key) { s.key = k }

// CheckSecretKey records the key's check value in the database on first
// use and afterwards refuses (ErrWrongSecretKey) a key with another one:
// every node on one database must share the key file.
func (s *Store) CheckSecretKey(ctx context.Context) error {
	if s.key == nil {
		return nil
	}
	want := s.key.CheckValue()
	got, err := s.EnsureSecret(ctx, SecretKeyCheck, func() (string, error) { return want, nil })
	if err != nil {
		return err
	}
	if got != want {
		return ErrWrongSecretKey
	}
	return nil
}

// sealStr seals v for column col.
func (s *Store) sealStr(col, v string) (string, error) {
	out, err := s.key.Seal(col, v)
	if err != nil {
		return "", fmt.Errorf("store: seal %s: %w", col, err)
	}
	return out, nil
}

// openStr opens a stored value of column col.
func (s *Store) openStr(col, v string) (string, error) {
	out, err := s.key.Open(col, v)
	if err != nil {
		return "", fmt.Errorf("store: %s: %w", col, err)
	}
	return out, nil
}

// sealed scans column col into dst, decrypting it.
func (s *Store) sealed(col string, dst *string) sql.Scanner { return sealedDest{s, col, dst} }

type sealedDest struct {
	s   *Store
	col string
	dst *string
}

func (d sealedDest) Scan(src any) error {
	var v string
	switch x := src.(type) {
	case nil:
	case string:
		v = x
	case []byte:
		v = string(x)
	default:
		return fmt.Errorf("store: %s: unexpected %T", d.col, src)
	}
	out, err := d.s.openStr(d.col, v)
	*d.dst = out
	return err
}

// SealClearSecrets seals the secret values still stored in clear (written
// before encryption existed, or while no key was set). Each row is
// rewritten only if it still holds the clear value read, so a concurrent
// change or another node doing the same is never overwritten. It returns
// how many values it sealed.
func (s *Store) SealClearSecrets(ctx context.Context) (int, error) {
	if s.key == nil {
		return 0, nil
	}
	total := 0
	for _, c := range []struct{ table, col, name string }{
		{"users", "totp_secret", colTOTPSecret},
		{"webhook_endpoints", "secret", colWebhookSecret},
		{"webhook_endpoints", "previous_secret", colWebhookPrevious},
		{"webhook_deliveries", "target_secret", colTargetSecret},
		{"dids", "webhook_secret", colDIDWebhook},
		{"trunks", "password", colTrunkPassword},
	} {
		n, err := s.sealColumn(ctx, c.table, c.col, c.name)
		total += n
		if err != nil {
			return total, err
		}
	}
	n, err := s.sealPlatformSMTP(ctx)
	total += n
	if err != nil {
		return total, err
	}
	n, err = s.sealSecretRow(ctx, SecretFlashKey)
	return total + n, err
}

// sealSecretRow seals the secrets row name when it is still clear.
func (s *Store) sealSecretRow(ctx context.Context, name string) (int, error) {
	var v string
	err := s.wdb.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (v == "" || seal.IsSealed(v)) {
		return 0, nil
	}
	if err != nil {
		return 0, s.mapErr(err)
	}
	sealed, err := s.sealStr(sealedSecretCol(name), v)
	if err != nil {
		return 0, err
	}
	// Rewrite only the value just read.
	res, err := s.wdb.ExecContext(ctx, `UPDATE secrets SET value = $1 WHERE name = $2 AND value = $3`, sealed, name, v)
	if err != nil {
		return 0, s.mapErr(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// sealColumn seals the clear values of one column, in batches.
func (s *Store) sealColumn(ctx context.Context, table, col, name string) (int, error) {
	type row struct{ id, v string }
	done := 0
	for {
		rows, err := s.wdb.QueryContext(ctx, `SELECT id, `+col+` FROM `+table+
			` WHERE `+col+` <> '' AND `+col+` NOT LIKE 'enc:%' LIMIT 500`)
		if err != nil {
			return done, s.mapErr(err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.v); err != nil {
				rows.Close()
				return done, err
			}
			batch = append(batch, r)
		}
		if err := rows.Close(); err != nil {
			return done, err
		}
		if err := rows.Err(); err != nil {
			return done, err
		}
		if len(batch) == 0 {
			return done, nil
		}
		for _, r := range batch {
			v, err := s.sealStr(name, r.v)
			if err != nil {
				return done, err
			}
			if _, err := s.wdb.ExecContext(ctx, `UPDATE `+table+` SET `+col+` = $1 WHERE id = $2 AND `+col+` = $3`,
				v, r.id, r.v); err != nil {
				return done, s.mapErr(err)
			}
			done++
		}
	}
}

// sealPlatformSMTP re-saves the platform settings when the SMTP password
// in them is still clear.
func (s *Store) sealPlatformSMTP(ctx context.Context) (int, error) {
	var value string
	err := s.wdb.QueryRowContext(ctx, `SELECT value FROM settings WHERE tenant_id IS NULL AND key = $1`,
		settingPlatform).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, s.mapErr(err)
	}
	j := platformToJSON(model.DefaultPlatformSettings())
	if err := decodeSetting(settingPlatform, value, &j); err != nil {
		return 0, err
	}
	if j.SMTP.Password == "" || seal.IsSealed(j.SMTP.Password) {
		return 0, nil
	}
	if j.SMTP.Password, err = s.sealStr(colSMTPPassword, j.SMTP.Password); err != nil {
		return 0, err
	}
	// Rewrite only the row just read: a concurrent save wins.
	res, err := s.wdb.ExecContext(ctx, `UPDATE settings SET value = $1 WHERE tenant_id IS NULL AND key = $2 AND value = $3`,
		mustJSON(j), settingPlatform, value)
	if err != nil {
		return 0, s.mapErr(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
