#!/usr/bin/env bash
# Runs the whole Ellity test suite. Extra arguments go to `dotnet test` (e.g. --filter ...).
#
# Unless ELLITY_TEST_POSTGRES is set (a connection string to a server the tests may create
# and drop databases on), a throwaway PostgreSQL cluster is started on 127.0.0.1:55433 for
# the run and stopped afterwards. The last line printed is always
#   N passed, N failed, N skipped
# summed over every TRX file in ./TestResults. The exit code is non-zero when dotnet test
# fails, any test fails, or no test ran.

# Sums the <Counters .../> element of each TRX file given as argument and prints
# "files_with_counters total executed passed failed skipped". failed includes error,
# timeout and aborted. skipped is notExecuted, or total - executed when larger: VSTest
# writes xUnit [Fact(Skip=...)] tests as outcome="NotExecuted" but leaves the
# notExecuted counter at 0 (they only show as total > executed). Plain POSIX awk.
trx_counts() {
  awk '
    function attr(s, name,   q, m) {
      q = "\047"
      if (match(s, "[ \t\r\n]" name "[ \t]*=[ \t]*[\"" q "][0-9]+[\"" q "]")) {
        m = substr(s, RSTART, RLENGTH)
        sub(/^[^=]*=/, "", m)
        gsub(/[^0-9]/, "", m)
        return m + 0
      }
      return 0
    }
    FNR == 1 { grab = 0; buf = ""; counted = 0 }
    counted { next }
    {
      line = $0
      if (!grab) {
        i = index(line, "<Counters")
        if (!i) next
        grab = 1; buf = ""; line = substr(line, i)
      }
      buf = buf " " line
      j = index(buf, ">")
      if (j) {
        c = substr(buf, 1, j)
        found++
        t = attr(c, "total"); e = attr(c, "executed"); s = attr(c, "notExecuted")
        total += t; executed += e
        passed += attr(c, "passed")
        failed += attr(c, "failed") + attr(c, "error") + attr(c, "timeout") + attr(c, "aborted")
        skipped += (t - e > s) ? t - e : s
        grab = 0; buf = ""; counted = 1
      }
    }
    END { printf "%d %d %d %d %d %d\n", found, total, executed, passed, failed, skipped }
  ' "$@"
}

# Allows `source test.sh` to get trx_counts without running anything.
if [[ ${BASH_SOURCE[0]} != "$0" ]]; then return 0; fi

set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$repo"
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}" DOTNET_CLI_TELEMETRY_OPTOUT="${DOTNET_CLI_TELEMETRY_OPTOUT:-1}"

readonly PG_NAME=test PG_PORT=55433
stop_pg=0
cleanup() {
  if [[ $stop_pg == 1 ]]; then
    stop_pg=0
    bash scripts/postgres.sh stop "$PG_NAME" >&2 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [[ -z ${ELLITY_TEST_POSTGRES:-} ]]; then
  # Only stop the cluster afterwards if we are the ones starting it.
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then stop_pg=1; fi
  ELLITY_TEST_POSTGRES=$(bash scripts/postgres.sh start "$PG_NAME" "$PG_PORT" --throwaway)
  export ELLITY_TEST_POSTGRES
fi
echo "PostgreSQL for tests: $ELLITY_TEST_POSTGRES" >&2

results="$repo/TestResults"
rm -rf "$results"
set +e
# LogFilePrefix, not LogFileName: with a fixed LogFileName every test project of the
# solution writes the same results.trx and only the last one survives (microsoft/vstest#3026);
# the prefix gives one results_<tfm>_<timestamp>.trx per test project.
dotnet test Ellity.sln -c Release --logger "trx;LogFilePrefix=results" --results-directory "$results" "$@"
test_rc=$?
set -e

# Stop PostgreSQL now so that nothing is printed after the summary line.
cleanup

trx_files=()
if [[ -d $results ]]; then
  mapfile -d '' trx_files < <(find "$results" -type f -name '*.trx' -print0)
fi
found=0 total=0 executed=0 passed=0 failed=0 skipped=0
if (( ${#trx_files[@]} > 0 )); then
  read -r found total executed passed failed skipped < <(trx_counts "${trx_files[@]}")
fi

rc=0
if (( test_rc != 0 )); then
  echo "test.sh: dotnet test exited with code $test_rc" >&2; rc=$test_rc
fi
if (( found == 0 )); then
  echo "test.sh: no TRX results found under $results" >&2; rc=1
elif (( executed == 0 )); then
  echo "test.sh: no tests were executed" >&2; rc=1
fi
if (( failed > 0 && rc == 0 )); then rc=1; fi

echo "$passed passed, $failed failed, $skipped skipped"
exit "$rc"
