#!/usr/bin/env bash
# The package as a new user gets it:
#   1. the sdist and wheel build with setuptools 77, the oldest pyproject.toml allows (the SPDX
#      `license` needs it), in build's isolated environment;
#   2. the wheel is reproducible: two builds, each from its own fresh copy of the tree, have the
#      same SHA-256;
#   3. the wheel carries the licence and the sdist the docs, and docker is only an extra;
#   4. installed in a fresh virtualenv WITHOUT the docker extra, `pjconf run` passes from outside
#      the checkout, and `--impl docker:` says in one line which extra to install (exit status 2).
#
# Reproducibility: setuptools stamps every wheel entry with $SOURCE_DATE_EPOCH when it is set (else
# with the build's clock), writes entries in a fixed order, and copies each file's mode. So a
# release build is
#   SOURCE_DATE_EPOCH=$(git log -1 --format=%ct) python -m build
# from a tree whose files are 0644 (0755 where executable), which is what a clone gets under the
# usual umask 022. This script builds from copies with exactly those modes, so a checkout made
# under another umask gives the same hash.
#
# Needs git and `build` (the test extra); PJCONF_PYTHON names the interpreter that has build.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PJCONF_PYTHON:-.venv/bin/python}
[[ $PY == /* ]] || PY="$PWD/$PY"
started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)
export SOURCE_DATE_EPOCH
echo 'setuptools==77.*' >"$work/build-constraints.txt"
echo "SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH (the last commit); build backend pinned to setuptools==77.*"

# The work tree's tracked and new (not ignored) files, deleted ones left out: no build/, no
# *.egg-info, no stale SOURCES.txt from an earlier build can reach the package.
tree_files() {
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -e $f ]] && printf '%s\0' "$f"; done
}

build_once() {
  local n=$1 src="$work/src$1"
  mkdir -p "$src"
  tree_files | tar --null -T - --mode=u+rw,go=rX --owner=0 --group=0 --numeric-owner -cf - |
    tar -xpf - -C "$src"
  if ! (cd "$src" && PIP_CONSTRAINT="$work/build-constraints.txt" \
      "$PY" -m build -o "$work/dist$n" . >"$work/build$n.log" 2>&1); then
    cat "$work/build$n.log"
    echo "FAIL: build $n (setuptools 77) failed"
    exit 1
  fi
}

echo "== build twice (sdist, then the wheel from it)"
build_once 1
build_once 2
wheel1=$(echo "$work"/dist1/*.whl)
wheel2=$(echo "$work"/dist2/*.whl)
hash1=$(sha256sum "$wheel1" | cut -d' ' -f1)
hash2=$(sha256sum "$wheel2" | cut -d' ' -f1)
echo "build 1: $hash1  $(basename "$wheel1")"
echo "build 2: $hash2  $(basename "$wheel2")"
if [[ $hash1 != "$hash2" ]]; then
  echo "FAIL: the two wheels differ"
  exit 1
fi
echo "reproducible: yes"

echo "== what the wheel and the sdist carry"
"$PY" - "$wheel1" "$work"/dist1/*.tar.gz <<'EOF'
import re
import sys
import tarfile
import zipfile

wheel, sdist = zipfile.ZipFile(sys.argv[1]), tarfile.open(sys.argv[2])
names = wheel.namelist()
info = next(n for n in names if n.endswith(".dist-info/WHEEL"))
meta = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
generator = re.search(r"^Generator: (.*)$", wheel.read(info).decode(), re.M)
problems = []
if not generator or not generator[1].startswith("setuptools (77."):
    problems.append(f"built by {generator and generator[1]}, not setuptools 77")
if not any(n.endswith(".dist-info/licenses/LICENSE") for n in names):
    problems.append("the wheel has no LICENSE")
if "License-Expression: MIT" not in meta:
    problems.append("METADATA has no License-Expression: MIT")
docker = [line for line in meta.splitlines() if line.startswith("Requires-Dist: docker")]
if not docker or any('extra == "docker"' not in line for line in docker):
    problems.append(f"docker is not only an extra: {docker}")
members = sdist.getnames()
docs = [m for m in members if "/docs/" in m and m.endswith(".md")]
if not docs or not any(m.endswith("/LICENSE") for m in members):
    problems.append("the sdist lacks docs/ or LICENSE")
if any("/tests/" in m for m in members):
    problems.append("the sdist carries part of tests/")
dates = {i.date_time for i in wheel.infolist()}
modes = sorted({oct(i.external_attr >> 16) for i in wheel.infolist()})
print(f"wheel: {len(names)} entries, generator {generator and generator[1]}, dates {dates}, modes {modes}")
print(f"sdist: {len(members)} members, {len(docs)} docs pages")
for problem in problems:
    print(f"FAIL: {problem}")
sys.exit(1 if problems else 0)
EOF

echo "== install the wheel in a fresh virtualenv, without the docker extra"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q --disable-pip-version-check "$wheel1"
if "$work/venv/bin/python" -c "import docker" 2>/dev/null; then
  echo "FAIL: docker was installed without the docker extra"
  exit 1
fi
echo "docker: not installed"

echo "== pjconf run, from outside the checkout"
(cd "$work" && "$work/venv/bin/pjconf" run --quiet)

echo "== pjconf run --impl docker: without the extra"
expected="pjconf: --impl docker: needs the docker extra: pip install 'pjconf[docker]'"
status=0
(cd "$work" && "$work/venv/bin/pjconf" run --impl docker:pjconf/rust-payjoin:1.0.0) \
  >"$work/docker.out" 2>"$work/docker.err" || status=$?
cat "$work/docker.err"
if [[ $status != 2 || $(cat "$work/docker.err") != "$expected" || -s $work/docker.out ]]; then
  echo "FAIL: expected exit status 2 and the one line above, got status $status"
  exit 1
fi
echo "exit status 2, one line"

echo "check-package: ok ($((SECONDS - started))s)"
