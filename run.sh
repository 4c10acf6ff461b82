#!/usr/bin/env bash
# Runs Ellity Webhooks. Provisions a local PostgreSQL (scripts/postgres.sh, cluster "dev",
# port 55432) unless ConnectionStrings__Ellity is already set. Extra args go to the app.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if [[ -n ${ConnectionStrings__Ellity:-} ]]; then
  cs=$ConnectionStrings__Ellity
else
  cs=$(bash scripts/postgres.sh start dev 55432)
fi
export ConnectionStrings__Ellity="$cs"
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://127.0.0.1:5080}"
# Alerts link to the delivery log on this admin page.
export Notifications__AdminPageUrl="${Notifications__AdminPageUrl:-${ASPNETCORE_URLS%%;*}/admin}"
# Local use: let webhooks reach receivers on this machine (production refuses internal addresses).
if [[ -z ${Webhooks__AllowedNetworks__0:-} ]]; then
  export Webhooks__AllowedNetworks__0=127.0.0.0/8 Webhooks__AllowedNetworks__1=::1/128
  echo "Deliveries may reach loopback (127.0.0.0/8, ::1) for local testing; set Webhooks__AllowedNetworks__0 to change."
fi

# The operator key registers e-shops; generated once for local use and kept in the git-ignored .local/.
if [[ -z ${Access__OperatorKey:-} ]]; then
  mkdir -p .local
  [[ -s .local/operator-key ]] || head -c 32 /dev/urandom | base64 | tr -d '/+=\n' > .local/operator-key
  chmod 600 .local/operator-key
  export Access__OperatorKey=$(cat .local/operator-key)
fi
echo "Operator key: $Access__OperatorKey"
echo "Ellity Webhooks: $ASPNETCORE_URLS (PostgreSQL: $cs)"
echo "Admin page: ${ASPNETCORE_URLS%%;*}/admin"
exec dotnet run --project src/Host/Ellity.Host.csproj -c Release --no-launch-profile "$@"
