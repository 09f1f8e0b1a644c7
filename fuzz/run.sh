#!/usr/bin/env bash
# Usage: fuzz/run.sh SECONDS
# Builds the decoder fuzz target with clang-14 -fsanitize=fuzzer,address into
# /work/main/build-fuzz (independent of the CMake build) and fuzzes a copy of the seed corpus
# (fuzz/corpus/decoder) for SECONDS. New inputs stay in build-fuzz/corpus; crashes land in
# build-fuzz/artifacts. Exits non-zero when the fuzzer finds a crash or invariant violation.
set -euo pipefail

seconds="${1:?usage: fuzz/run.sh SECONDS}"
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${root}/build-fuzz"
cxx="${CXX_FUZZ:-clang++-14}"
flags=(-std=c++20 -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address
       -march=x86-64-v3 -I"${root}/src")

mkdir -p "${out}/obj" "${out}/corpus" "${out}/artifacts"
sources=()
for f in "${root}"/src/base/*.cc "${root}"/src/event/*.cc; do
  case "$f" in *_test.cc|*/test_util.cc) continue ;; esac
  sources+=("$f")
done
sources+=("${root}/fuzz/decoder_fuzz.cc")

echo "compiling ${#sources[@]} files with ${cxx}..."
for f in "${sources[@]}"; do
  "${cxx}" "${flags[@]}" -c "$f" -o "${out}/obj/$(basename "$f" .cc).o" &
  while (( $(jobs -rp | wc -l) >= 2 )); do wait -n; done
done
wait
"${cxx}" -fsanitize=fuzzer,address "${out}"/obj/*.o -lsimdjson -lcrypto -lxxhash -o "${out}/decoder_fuzz"

cp -n "${root}"/fuzz/corpus/decoder/* "${out}/corpus/" 2>/dev/null || true
"${out}/decoder_fuzz" -max_total_time="${seconds}" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="${out}/artifacts/" "${out}/corpus"
