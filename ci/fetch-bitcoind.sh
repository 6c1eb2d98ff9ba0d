#!/usr/bin/env bash
# A hermetic regtest bitcoind for the end-to-end tests (tests/regtest), without installing
# anything on the system.
#
# Debian stable carries no bitcoind. Debian sid carries `bitcoin-knots`, whose runtime needs a
# newer glibc/libstdc++ than this machine has. So this script downloads the package and the
# closure of the shared libraries it links against from sid, through the machine's own Debian
# mirror (read from the apt sources here, never written in this repository), with a private apt
# state (its own sources, lists, cache and an empty dpkg status: the system's apt state is
# neither read for resolution nor written). It unpacks everything with `dpkg -x` into a private
# root under .bitcoind/ (gitignored) and writes wrappers, .bitcoind/bin/{bitcoind,bitcoin-cli},
# that run the binaries through that root's own dynamic loader and libc, so nothing is resolved
# from the host. It checks that last claim with the loader's --list.
#
# Idempotent: when .bitcoind/bin/bitcoind already runs, it prints the version and stops
# (--force fetches again). The .debs and apt indexes are deleted after unpacking.
#
# Environment: PJCONF_BITCOIND_DIR (default <repo>/.bitcoind), PJCONF_DEBIAN_MIRROR (a Debian
# archive URL, only for machines whose apt sources name none), PJCONF_DEBIAN_SUITE (default sid).
set -euo pipefail
cd "$(dirname "$0")/.."

W=${PJCONF_BITCOIND_DIR:-$PWD/.bitcoind}
SUITE=${PJCONF_DEBIAN_SUITE:-sid}
FORCE=0
[[ ${1:-} == --force ]] && FORCE=1

say() { echo "fetch-bitcoind: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }

works() {
  [[ -x $W/bin/bitcoind && -x $W/bin/bitcoin-cli ]] || return 1
  timeout 20 "$W/bin/bitcoind" -version >/dev/null 2>&1 || return 1
  timeout 20 "$W/bin/bitcoin-cli" -version >/dev/null 2>&1 || return 1
}

if [[ $FORCE == 0 ]] && works; then
  say "cached in $W"
  "$W/bin/bitcoind" -version | head -n1
  exit 0
fi

for tool in apt-get apt-cache dpkg python3 timeout; do
  command -v "$tool" >/dev/null || die "$tool is required"
done

# --- The machine's Debian mirror, from its apt sources (one-line and deb822 formats). --------
# Prints "URI<TAB>SIGNED_BY" for the first `deb` entry of a Debian release suite (not a
# -security/-updates/-backports pocket, whose archives carry no sid).
find_mirror() {
  python3 - /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources <<'PY'
import os, re, sys

RELEASES = {"buster", "bullseye", "bookworm", "trixie", "forky", "duke", "sid",
            "oldoldstable", "oldstable", "stable", "testing", "unstable"}

def entries(path):
    text = open(path, encoding="utf-8", errors="replace").read()
    if path.endswith(".sources"):
        for stanza in re.split(r"\n\s*\n", text):
            fields, key = {}, None
            for line in stanza.splitlines():
                if line.startswith("#") or not line.strip():
                    continue
                if line[0] in " \t" and key:  # continuation (e.g. an inline Signed-By key)
                    fields[key] += "\n" + line.strip()
                    continue
                key, _, value = line.partition(":")
                key = key.strip().lower()
                fields[key] = value.strip()
            if fields.get("enabled", "yes").lower() == "no":
                continue
            if "deb" not in fields.get("types", "").split():
                continue
            for uri in fields.get("uris", "").split():
                yield uri, fields.get("suites", "").split(), fields.get("signed-by", "")
    else:
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            m = re.match(r"^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)", line)
            if m:
                opts = dict(o.split("=", 1) for o in (m.group(1) or "").split() if "=" in o)
                yield m.group(2), [m.group(3)], opts.get("signed-by", "")

for path in sys.argv[1:]:
    if not os.path.isfile(path):
        continue
    for uri, suites, signed_by in entries(path):
        if uri.startswith(("http://", "https://")) and any(s in RELEASES for s in suites):
            keyring = signed_by if signed_by.startswith("/") and "\n" not in signed_by else ""
            print(f"{uri.rstrip('/')}\t{keyring}")
            sys.exit(0)
sys.exit(1)
PY
}

if [[ -n ${PJCONF_DEBIAN_MIRROR:-} ]]; then
  MIRROR=$PJCONF_DEBIAN_MIRROR KEYRING=""
else
  line=$(find_mirror) || die "no Debian archive in /etc/apt/sources.list{,.d} (set PJCONF_DEBIAN_MIRROR)"
  MIRROR=${line%%$'\t'*} KEYRING=${line#*$'\t'}
fi
[[ -z $KEYRING && -r /usr/share/keyrings/debian-archive-keyring.gpg ]] &&
  KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
say "mirror $MIRROR suite $SUITE"

# --- Private apt state. -------------------------------------------------------------------------
A=$W/apt
trap 'rm -rf "$A" "$W/debs" "$W/root.new"' EXIT   # the indexes and .debs are never kept
rm -rf "$A" "$W/debs"
mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/etc/preferences.d" "$W/debs"
: >"$A/status"
echo "deb [${KEYRING:+signed-by=$KEYRING }arch=$(dpkg --print-architecture)] $MIRROR $SUITE main" \
  >"$A/sources.list"
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$A/sources.list" -o "Dir::Etc::sourceparts=-"
  -o "Dir::Etc::preferences=$A/etc/preferences" -o "Dir::Etc::preferencesparts=$A/etc/preferences.d"
  -o "Dir::State::Lists=$A/lists" -o "Dir::State::status=$A/status" -o "Dir::Cache=$A/cache"
  -o "Dir::Cache::pkgcache=pkgcache.bin" -o "Dir::Cache::srcpkgcache=srcpkgcache.bin"
  -o "Acquire::Languages=none" -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
  -o "Acquire::Retries=3" -o "APT::Sandbox::User=root" -q
)

say "apt-get update (private lists in $A)"
timeout 180 apt-get "${APT_OPTS[@]}" --error-on=any update >"$A/update.log" 2>&1 ||
  { cat "$A/update.log" >&2; die "apt-get update of $SUITE failed"; }
grep -E '^(W|E):' "$A/update.log" >&2 || true
apt-cache "${APT_OPTS[@]}" show bitcoin-knots >/dev/null 2>&1 ||
  die "$SUITE has no bitcoin-knots package (any more?)"

# --- The package and the closure of its library dependencies. -----------------------------------
# Follow Depends/PreDepends (the first of alternatives), but only into shared-library packages
# (lib*, gcc-N-base): bitcoind's maintainer-script dependencies (debconf, systemd, adduser...)
# are not needed to run the binary.
declare -A SEEN=([bitcoin-knots]=1)
LEVEL=(bitcoin-knots)
PKGS=(bitcoin-knots)
for _ in 1 2 3 4 5 6 7 8 9 10; do
  ((${#LEVEL[@]})) || break
  NEXT=()
  while read -r dep; do
    [[ $dep =~ ^(lib[a-z0-9].*|gcc-[0-9]+-base)$ && -z ${SEEN[$dep]:-} ]] || continue
    SEEN[$dep]=1
    NEXT+=("$dep")
  done < <(apt-cache "${APT_OPTS[@]}" depends --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${LEVEL[@]}" |
    awk '/^[^ ]/ { in_alt = 0 }
         /^ *\|?(Pre)?Depends: / { if (!in_alt) print $2; in_alt = ($1 ~ /^\|/) }')
  PKGS+=("${NEXT[@]}")
  LEVEL=("${NEXT[@]}")
done
((${#PKGS[@]} > 5)) || die "dependency closure looks wrong: ${PKGS[*]}"
say "downloading ${#PKGS[@]} packages: ${PKGS[*]}"
(cd "$W/debs" && timeout 180 apt-get "${APT_OPTS[@]}" download "${PKGS[@]}" >"$A/download.log" 2>&1) ||
  { cat "$A/download.log" >&2; die "apt-get download failed"; }

say "downloaded $(du -shc "$W"/debs/*.deb | tail -n1 | cut -f1) of .debs"

# --- Unpack into a fresh root and write the wrappers. -------------------------------------------
R_NEW=$W/root.new
rm -rf "$R_NEW"
mkdir -p "$R_NEW"
for deb in "$W"/debs/*.deb; do dpkg -x "$deb" "$R_NEW"; done
[[ -x $R_NEW/usr/bin/bitcoind ]] || die "bitcoin-knots has no usr/bin/bitcoind"
LIBC=$(find "$R_NEW" -name libc.so.6 -print -quit)
[[ -n $LIBC ]] || die "no libc.so.6 in the unpacked root"
LIBDIR_REL=${LIBC#"$R_NEW"/}
LIBDIR_REL=${LIBDIR_REL%/libc.so.6}   # e.g. usr/lib/x86_64-linux-gnu
LOADER=$(find "$R_NEW/$LIBDIR_REL" -maxdepth 1 -name 'ld-linux*.so.*' -print -quit)
[[ -n $LOADER ]] || die "no dynamic loader in $LIBDIR_REL"
LOADER_REL=${LOADER#"$R_NEW"/}
{
  echo "bitcoin-knots closure from Debian $SUITE, fetched $(date -u +%FT%TZ)"
  for deb in "$W"/debs/*.deb; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done
} >"$R_NEW/PACKAGES"

# Hermeticity, checked before the new root replaces any old one: every library must resolve
# inside the private root (the loader's --list shows where each one comes from).
for tool in bitcoind bitcoin-cli; do
  listing=$("$LOADER" --inhibit-cache --library-path "$R_NEW/$LIBDIR_REL:$R_NEW/${LIBDIR_REL#usr/}" \
    --list "$R_NEW/usr/bin/$tool" 2>&1) || die "$tool does not load: $listing"
  leaks=$(grep '=>' <<<"$listing" | grep -v "=> $R_NEW/" || true)
  [[ -z $leaks ]] || die "$tool resolves libraries outside the private root: $leaks"
done

rm -rf "$W/root" "$W/bin"
mv "$R_NEW" "$W/root"
mkdir -p "$W/bin"
for tool in bitcoind bitcoin-cli; do
  cat >"$W/bin/$tool" <<EOF
#!/bin/sh
# Generated by ci/fetch-bitcoind.sh: $tool from Debian $SUITE, run with its own loader and libc.
R=\$(cd "\$(dirname "\$0")/../root" && pwd)
L=\$R/$LIBDIR_REL
exec "\$R/$LOADER_REL" --inhibit-cache --library-path "\$L:\$R/${LIBDIR_REL#usr/}" \\
  --argv0 $tool "\$R/usr/bin/$tool" "\$@"
EOF
  chmod +x "$W/bin/$tool"
done
works || die "the unpacked bitcoind does not run"
say "$(du -sh "$W" | cut -f1) in $W"
sed 1d "$W/root/PACKAGES" | grep -E '^(bitcoin-knots|libc6|libstdc\+\+6|libevent-core)' >&2 || true
"$W/bin/bitcoind" -version | head -n1
