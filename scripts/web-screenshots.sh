#!/usr/bin/env bash
# Regenerate the README's web app screenshots: run the browser journeys (which save every page at
# 360 and 1280 px in artefacts/web/) and copy a few into docs/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
timeout 600 .venv/bin/pytest -q tests/e2e/web/test_in_browser.py
for shot in mentors-1280 conversation-held-360 guardian-consent-360 report-360 advice-answered-1280 \
            staff-matching-review-1280 staff-insights-1280 staff-concern-1280; do
    cp "artefacts/web/$shot.png" "docs/screenshots/web-$shot.png"
done
echo "screenshots: docs/screenshots/web-*.png"
