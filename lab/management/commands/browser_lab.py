"""manage.py browser_lab [--json|--markdown]: the lab's attacks in headless chromium, against a server it starts."""

import json
import os

from django.core.management.base import BaseCommand, CommandError

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


class Command(BaseCommand):
    help = "Run the browser lab's attacks in headless Chromium (Playwright) and print every cell's outcome."

    def add_arguments(self, parser):
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help='{"cells": [...], "claims": [...]}')
        output.add_argument("--markdown", action="store_true", help="the tables docs/browser-lab.md shows")

    def handle(self, *args, **options):
        if not os.access(CHROMIUM, os.X_OK):
            raise CommandError(f"no {CHROMIUM}: apt-get install chromium")
        result = measure()
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        elif options["markdown"]:
            self.stdout.write(as_markdown(result))
        else:
            self.stdout.write(as_text(result))
