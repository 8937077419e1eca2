#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages faxgate needs, skipping those already
# installed. Usage: scripts/install-deps.sh [run|test]
#   run  - what building and running faxgate needs (default)
#   test - also what the test suite needs (browser, PostgreSQL, SIP peers, ...)
# Works as root or through sudo.
set -euo pipefail

profile=${1:-run}
run_pkgs=(gcc pkg-config libspandsp-dev libtiff-dev ca-certificates mupdf-tools fonts-dejavu-core fonts-droid-fallback fonts-wqy-microhei)
test_pkgs=(chromium ghostscript libtiff-tools poppler-utils postgresql tshark sip-tester kamailio swaks libnet-ssleay-perl libio-socket-ssl-perl libreoffice-writer-nogui)

pkgs=("${run_pkgs[@]}")
if [ "$profile" = test ]; then
	pkgs+=("${test_pkgs[@]}")
fi

# Go itself: faxgate needs Go 1.26 or newer (Debian's packaged Go is older).
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
	export PATH=$PATH:/usr/local/go/bin
fi
if ! command -v go >/dev/null; then
	echo "faxgate: Go 1.26 or newer is needed; install it from the Go download page into /usr/local/go and add /usr/local/go/bin to PATH" >&2
	exit 1
fi
gover=$(go env GOVERSION | sed 's/^go//')
if [ "$(printf '%s\n1.26\n' "${gover%%[-+ ]*}" | sort -V | head -1)" != 1.26 ]; then
	echo "faxgate: Go $gover found; Go 1.26 or newer is needed" >&2
	exit 1
fi

missing=()
for p in "${pkgs[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
	echo "faxgate: these packages are missing and this is not a Debian/Ubuntu system: ${missing[*]}" >&2
	exit 1
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
	if ! command -v sudo >/dev/null; then
		echo "faxgate: need root or sudo to install: ${missing[*]}" >&2
		exit 1
	fi
	sudo=(sudo)
fi

echo "faxgate: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# tshark asks whether non-root users may capture; answer no without a prompt.
echo "wireshark-common wireshark-common/install-setuid boolean false" | "${sudo[@]}" debconf-set-selections 2>/dev/null || true
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

# The tests start their own Kamailio on a free port; a packaged one started
# by the install would take :5060 from `faxgate serve`.
for p in "${missing[@]}"; do
	if [ "$p" = kamailio ]; then
		if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
			"${sudo[@]}" systemctl disable --now kamailio >/dev/null 2>&1 || true
		elif command -v service >/dev/null; then
			"${sudo[@]}" service kamailio stop >/dev/null 2>&1 || true
		fi
	fi
done
