#!/usr/bin/env bash
# Regenerates the Wolverine handler and endpoint adapters the Host runs outside Development
# (src/Host/Internal/Generated). Run it after changing a handler, an endpoint's signature or a
# Wolverine policy, and commit the result; a test fails while they are out of date.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../src/Host"
# The old adapters may no longer compile against the changed handlers, so the Host is built without
# them; they are put back if generating fails (a build error), so a failed run changes nothing.
previous=$(mktemp -d)
mv Internal/Generated "$previous/" 2>/dev/null || true
restore() { rm -rf Internal/Generated; mv "$previous/Generated" Internal/ 2>/dev/null || true; rm -rf "$previous"; }
# Generating needs no database; the Host only insists that a connection string is set.
if ! ConnectionStrings__Ellity="${ConnectionStrings__Ellity:-Host=127.0.0.1;Port=1;Username=nobody}" \
  dotnet run -c Release --no-launch-profile -- codegen write; then
  restore
  echo "codegen.sh: generating failed; the previous adapters are back in place" >&2
  exit 1
fi
rm -rf "$previous"
# The Release build made for generating lacks the new adapters; rebuild it so it can be run as is.
dotnet build -c Release --no-restore -v quiet
