#!/usr/bin/env bash
# Makes sure a local PostgreSQL server runs and has a role and database for
# faxgate's tests, then prints the DSN to use as FAXGATE_TEST_POSTGRES.
# The test role may create databases: each test run makes its own and drops it.
set -euo pipefail

if ! command -v pg_lsclusters >/dev/null; then
	echo "faxgate: PostgreSQL is not installed (scripts/install-deps.sh test installs it)" >&2
	exit 1
fi

as_postgres() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		sudo -u postgres -- "$@"
	fi
}

# Start every stopped cluster (a fresh install may not have started it).
while read -r ver name port status _; do
	[ "$ver" = Ver ] && continue
	if [ "$status" != online ]; then
		if [ "$(id -u)" -eq 0 ]; then
			pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
		else
			sudo pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start
		fi
	fi
done < <(pg_lsclusters)

port=$(pg_lsclusters -h | awk '$4 == "online" {print $3; exit}')
port=${port:-5432}
for _ in $(seq 1 30); do
	pg_isready -q -h 127.0.0.1 -p "$port" && break
	sleep 1
done

as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'faxgate_test') THEN
    CREATE ROLE faxgate_test LOGIN CREATEDB PASSWORD 'faxgate_test';
  END IF;
END $$;
SQL
if ! as_postgres psql -p "$port" -tAc "SELECT 1 FROM pg_database WHERE datname = 'faxgate_test'" | grep -q 1; then
	as_postgres createdb -p "$port" -O faxgate_test faxgate_test
fi
echo "postgres://faxgate_test:faxgate_test@127.0.0.1:${port}/faxgate_test?sslmode=disable"
