#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZTIME, default 5s each) so CI exercises
# the wire-format parsers beyond their seed corpus. Finds targets by name.
set -euo pipefail
fuzztime=${FUZZTIME:-5s}
status=0
while IFS= read -r file; do
	dir=$(dirname "$file")
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
		echo "fuzz: ./$dir $target ($fuzztime)"
		if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "./$dir" >/tmp/faxgate-fuzz.log 2>&1; then
			cat /tmp/faxgate-fuzz.log
			status=1
		fi
	done
done < <(grep -rlE '^func Fuzz' --include='*_test.go' internal cmd 2>/dev/null || true)
exit $status
