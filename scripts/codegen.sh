#!/usr/bin/env bash
# Regenerates the Wolverine handler and endpoint adapters the Host runs outside Development
# (src/Host/Internal/Generated). Run it after changing a handler, an endpoint's signature or a
# Wolverine policy, and commit the result; a test fails while they are out of date.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../src/Host"
rm -rf Internal/Generated
# Generating needs no database; the Host only insists that a connection string is set.
ConnectionStrings__Ellity="${ConnectionStrings__Ellity:-Host=127.0.0.1;Port=1;Username=nobody}" \
  dotnet run -c Release --no-launch-profile -- codegen write
