"""manage.py browser_lab [--json|--markdown]: the lab's attacks in headless chromium, against a server it starts."""

import os

from django.core.management.base import CommandError

from api.management.measurement import MeasurementCommand
from lab.browser import CHROMIUM, launch, run_lab
from lab.report import as_markdown, as_text
from lab.server import lab_server


def measure():
    """Every cell and claim, from a lab server and a chromium of its own, both stopped afterwards."""
    from playwright.sync_api import sync_playwright

    with lab_server() as api, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            return run_lab(api, browser)
        finally:
            browser.close()


class Command(MeasurementCommand):
    help = "Run the browser lab's attacks in headless Chromium (Playwright) and print every cell's outcome."
    json_help = '{"cells": [...], "claims": [...]}'
    markdown_help = "the tables docs/browser-lab.md shows"

    def measure(self, **options):
        if not os.access(CHROMIUM, os.X_OK):
            raise CommandError(f"no {CHROMIUM}: apt-get install chromium")
        return measure()

    def as_markdown(self, result):
        return as_markdown(result)

    def as_text(self, result):
        return as_text(result)
