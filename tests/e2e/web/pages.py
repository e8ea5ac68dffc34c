"""What every browser test does on every page: axe-core (no serious or critical violation) and
screenshots at phone and desktop width, saved as artefacts (artefacts/web/, gitignored)."""

from __future__ import annotations

from axe_playwright_python.sync_playwright import Axe

from .browser import ARTEFACTS, DESKTOP, PHONE

_axe = Axe()
BLOCKING = ("serious", "critical")


def check_page(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_load_state("networkidle")
    page.locator("h1").first.wait_for()
    size = page.viewport_size
    for label, viewport in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        violations = [v for v in _axe.run(page).response["violations"] if v["impact"] in BLOCKING]
        assert not violations, f"{name} at {label} px: " + "; ".join(
            f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}" for v in violations)
        page.screenshot(path=str(ARTEFACTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size(size)
