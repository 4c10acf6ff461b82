#!/usr/bin/env bash
# Refreshes the admin page's screenshots in docs/ (linked from the README): runs the browser test
# that walks the five main screens with ELLITY_SCREENSHOTS_DIR set, so it saves them as PNGs.
# Needs what ./test.sh needs, plus Chromium (apt-get install -y chromium fonts-liberation).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ELLITY_SCREENSHOTS_DIR=docs bash ./test.sh --filter "FullyQualifiedName~Admin.ScreenshotTests"
ls -l docs/admin-*.png
