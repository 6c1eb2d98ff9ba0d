#!/bin/bash -eu
# Builds one atheris fuzzer per op group of pjconf.harness.fuzz.targets, each with the vector
# corpus as its seed corpus and the protocol dictionary (docs/fuzz.md, "Fuzzing engines").
# Runs inside the OSS-Fuzz base-builder-python image: $SRC, $OUT and compile_python_fuzzer
# come from it.

GROUPS="events messages logs uri crypto ohttp"

pip3 install .
pjconf fuzz --export-seeds "$SRC/pjconf-seeds"

for group in $GROUPS; do
  fuzzer="$SRC/fuzz_${group}.py"
  cat > "$fuzzer" <<PY
import sys

import atheris

with atheris.instrument_imports():
    from pjconf.harness.fuzz.targets import entry_point

atheris.Setup(sys.argv, entry_point("${group}"))
atheris.Fuzz()
PY
  compile_python_fuzzer "$fuzzer" --collect-submodules pjconf --copy-metadata pjconf
  (cd "$SRC/pjconf-seeds/$group" && zip -q -r "$OUT/fuzz_${group}_seed_corpus.zip" .)
  cp "$SRC/pjconf-seeds/pjconf.dict" "$OUT/fuzz_${group}.dict"
done
