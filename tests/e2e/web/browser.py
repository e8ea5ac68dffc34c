"""Debian's Chromium driven by Playwright: never Playwright's own browser download."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
ARTEFACTS = Path(__file__).resolve().parents[3] / "artefacts" / "web"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
