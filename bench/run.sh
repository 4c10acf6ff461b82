#!/usr/bin/env bash
# The Ellity Webhooks benchmark: one command, everything on this machine.
#
#   bench/run.sh [--quick] [--scenario NAME]... [--changes N] [--warm-up N] [--ordered]
#
# Starts a throwaway PostgreSQL on 127.0.0.1:55434 (stopped again at the end, also on failure),
# builds the Host, the benchmark and the template micro-benchmark in Release, then runs the
# scenarios (default: all of them, at their full counts): baselines, throughput, latency,
# fanout, outage, history, soak, templates. Each Host scenario starts the Host as its own process on a fresh
# database. Writes bench/results/<UTC timestamp>.json and bench/results/latest.md, and prints the
# Markdown table. --quick runs small counts (a smoke run of a few minutes) and writes
# <timestamp>-quick.json and latest-quick.md instead, which git ignores. --changes N sizes the
# throughput scenario (N credit changes over N/10 customers) and --warm-up N its warm-up, for
# profiling and comparing builds between full runs. --ordered makes every webhook deliver in order per
# customer, to measure what that costs.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

readonly PG_NAME=bench PG_PORT=55434
args=()
while (( $# > 0 )); do
  case $1 in
    --quick) args+=(--quick); shift ;;
    --ordered) args+=(--ordered); shift ;;
    --scenario) [[ $# -ge 2 ]] || { echo "usage: $0 [--quick] [--scenario NAME]... [--changes N] [--warm-up N] [--ordered]" >&2; exit 2; }
      args+=(--scenario "$2"); shift 2 ;;
    --changes|--warm-up) [[ $# -ge 2 ]] || { echo "usage: $0 [--quick] [--scenario NAME]... [--changes N] [--warm-up N] [--ordered]" >&2; exit 2; }
      args+=("$1" "$2"); shift 2 ;;
    *) echo "usage: $0 [--quick] [--scenario NAME]... [--changes N] [--warm-up N] [--ordered]" >&2; exit 2 ;;
  esac
done

stop_pg() { bash scripts/postgres.sh stop "$PG_NAME" >&2 || true; }
trap stop_pg EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# How busy the machine was before our own build added to it: the figures are only as good as the quiet.
load_before_build=$(cut -d ' ' -f 1-3 /proc/loadavg)
echo "Building in Release..." >&2
dotnet build src/Host/Ellity.Host.csproj -c Release -v q -nologo -clp:ErrorsOnly >&2
dotnet build bench/Ellity.Bench/Ellity.Bench.csproj -c Release -v q -nologo -clp:ErrorsOnly >&2
dotnet build bench/Ellity.Bench.Templates/Ellity.Bench.Templates.csproj -c Release -v q -nologo -clp:ErrorsOnly >&2

# The port lies in Linux's ephemeral range: a client connection may hold it for a moment, so retry.
for attempt in 1 2 3 4 5; do
  if server=$(bash scripts/postgres.sh start "$PG_NAME" "$PG_PORT" --throwaway | tail -n 1); then break; fi
  (( attempt < 5 )) || { echo "run.sh: PostgreSQL did not start on port $PG_PORT" >&2; exit 1; }
  sleep 3
done
commit=$(git rev-parse --short HEAD)
if [[ -n $(git status --porcelain) ]]; then commit+="+uncommitted"; fi
mkdir -p bench/results

dotnet bench/Ellity.Bench/bin/Release/net10.0/Ellity.Bench.dll \
  --server "$server" \
  --host-dll "$repo/src/Host/bin/Release/net10.0/Ellity.Host.dll" \
  --templates-dll "$repo/bench/Ellity.Bench.Templates/bin/Release/net10.0/Ellity.Bench.Templates.dll" \
  --operator-key "bench-$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" \
  --results "$repo/bench/results" \
  --run-id "$(date -u +%Y%m%dT%H%M%SZ)" \
  --git-commit "$commit" \
  --load-before-build "$load_before_build" \
  "${args[@]}"
