#!/usr/bin/env bash
# The fuzz targets in fuzz/ (every request decoder, request headers and the
# bearer token, the callout's JWTs, the search query parser), each run for a
# bounded time with libFuzzer and AddressSanitizer. A crash fails the run and
# leaves its input in fuzz/artifacts/<target>/: make it a regression test in
# the crate that crashed, and commit the input under fuzz/seeds/<target>/.
#
#   scripts/fuzz.sh                 every target, 20 s each (CI)
#   scripts/fuzz.sh 600             every target, ten minutes each
#   scripts/fuzz.sh 600 search_query
#
# Needs the nightly toolchain; installs cargo-fuzz from crates.io when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-${CHORUS_FUZZ_SECONDS:-20}}"
shift || true
export PATH="$HOME/.cargo/bin:$PATH"
rustup toolchain list | grep -q '^nightly' || {
  echo "fuzzing needs the nightly toolchain: rustup toolchain install nightly" >&2
  exit 1
}
command -v cargo-fuzz >/dev/null || cargo install --quiet --locked cargo-fuzz --version 0.13.2
cd fuzz
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(cargo +nightly fuzz list)
# One build for every target (debug assertions on, as cargo fuzz builds them).
cargo +nightly fuzz build
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  echo "==> fuzz $t for ${seconds} s"
  # The working corpus grows in corpus/ (not committed); seeds/ holds the
  # committed starting inputs and every crash found so far.
  log="corpus/$t.log"
  rc=0
  cargo +nightly fuzz run "$t" "corpus/$t" "seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1 || rc=$?
  grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb)|DONE' "$log" || true
  if [ "$rc" -ne 0 ]; then
    tail -40 "$log" >&2
    echo "fuzz target $t failed (exit $rc): the input is in fuzz/artifacts/$t" >&2
    exit 1
  fi
done
