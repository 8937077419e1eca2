#!/usr/bin/env bash
# The whole test suite: installs what the tests need, starts PostgreSQL so the
# store tests run on both engines, vets, runs every test, then runs each fuzz
# target briefly. `make test` calls this.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
if [ -z "${FAXGATE_TEST_POSTGRES:-}" ]; then
	FAXGATE_TEST_POSTGRES=$(scripts/ensure-postgres.sh)
	export FAXGATE_TEST_POSTGRES
fi
echo "PostgreSQL tests: ${FAXGATE_TEST_POSTGRES%%@*}@..."

export CGO_ENABLED=1
# Screenshots of the browser suites (guide-*.png, guide-walk-*.png, ...) are
# kept as test artifacts here; a plain `go test` writes them to a temporary
# folder it removes.
export FAXGATE_E2E_ARTIFACTS=${FAXGATE_E2E_ARTIFACTS:-$PWD/e2e-artifacts}
mkdir -p "$FAXGATE_E2E_ARTIFACTS"
echo "Browser screenshots: $FAXGATE_E2E_ARTIFACTS"
go vet ./...
go test -count=1 -timeout 40m ./...
scripts/fuzz-short.sh
