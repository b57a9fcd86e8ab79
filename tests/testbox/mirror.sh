# shellcheck shell=bash
# debian_mirror: the Debian archive the host's apt already uses, read from
# /etc/apt/sources.list and /etc/apt/sources.list.d/ (one-line and deb822
# formats): the URI that serves the host's own release. IRQBRIDGE_MIRROR
# overrides it. Prints nothing and fails with one line if there is none.
debian_mirror() {
	local codename uri
	if [ -n "${IRQBRIDGE_MIRROR:-}" ]; then
		echo "$IRQBRIDGE_MIRROR"
		return 0
	fi
	# shellcheck source=/dev/null
	codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	uri=$(
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			# deb [options] URI SUITE COMPONENTS...
			sed -n "s/^[[:space:]]*deb[[:space:]]\+\(\[[^]]*\][[:space:]]\+\)\{0,1\}\([^[:space:]]\+\)[[:space:]]\+${codename}[[:space:]].*/\2/p" "$f"
		done
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			# Stanzas separated by blank lines; Types, URIs, Suites fields.
			awk -v c="$codename" '
				function flush() {
					if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " c " ")) print uris
					types = ""; uris = ""; suites = ""
				}
				/^[[:space:]]*$/ { flush(); next }
				/^#/ { next }
				tolower($1) == "types:" { $1 = ""; types = $0 }
				tolower($1) == "uris:" { uris = $2 }
				tolower($1) == "suites:" { $1 = ""; suites = $0 }
				END { flush() }
			' "$f"
		done | sed -n 1p
	)
	if [ -z "$codename" ] || [ -z "$uri" ]; then
		echo "irqbridge: no Debian mirror for '${codename:-?}' in /etc/apt/sources.list*; set IRQBRIDGE_MIRROR" >&2
		return 1
	fi
	echo "${uri%/}"
}
