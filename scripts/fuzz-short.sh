#!/usr/bin/env bash
# Runs every fuzz target briefly (FUZZTIME, default 5s each) so CI exercises
# the wire-format parsers beyond their seed corpus. Finds targets by name.
#
# Go's fuzzer stops with "context deadline exceeded" (and no failing input)
# when its start-up (workers, baseline coverage of the corpus) outlasts
# -fuzztime on a busy machine: that is not a finding, so such a run is
# tried once more with twice the time. A real finding prints "Failing
# input" and fails at once.
set -euo pipefail
fuzztime=${FUZZTIME:-5s}
status=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

fuzz() { go test -run='^$' -fuzz="^${2}\$" -fuzztime="$3" "./$1" >"$log" 2>&1; }

startup_timeout() { grep -q 'context deadline exceeded' "$log" && ! grep -q 'Failing input' "$log"; }

while IFS= read -r file; do
	dir=$(dirname "$file")
	for target in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)' "$file" | awk '{print $2}'); do
		echo "fuzz: ./$dir $target ($fuzztime)"
		if fuzz "$dir" "$target" "$fuzztime"; then
			continue
		fi
		if startup_timeout; then
			echo "fuzz: ./$dir $target: the fuzzer did not start within $fuzztime; once more with twice the time"
			longer=$fuzztime
			if [[ $fuzztime =~ ^([0-9]+)s$ ]]; then
				longer="$((BASH_REMATCH[1] * 2))s"
			fi
			if fuzz "$dir" "$target" "$longer"; then
				continue
			fi
		fi
		cat "$log"
		status=1
	done
done < <(grep -rlE '^func Fuzz' --include='*_test.go' internal cmd 2>/dev/null || true)
exit $status
