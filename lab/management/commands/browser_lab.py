"""manage.py browser_lab [--json|--markdown]: the lab's attacks in headless chromium, against a server it starts."""

import json

from django.core.management.base import BaseCommand, CommandError

from lab.browser import CHROMIUM, launch, run_lab
from lab.report import as_markdown, as_text
from lab.server import lab_server


class Command(BaseCommand):
    help = "Run the browser lab's attacks in headless Chromium (Playwright) and print every cell's outcome."

    def add_arguments(self, parser):
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help='{"cells": [...], "claims": [...]}')
        output.add_argument("--markdown", action="store_true", help="the tables docs/browser-lab.md shows")

    def handle(self, *args, **options):
        import os

        if not os.access(CHROMIUM, os.X_OK):
            raise CommandError(f"no {CHROMIUM}: apt-get install chromium")
        from playwright.sync_api import sync_playwright

        with lab_server() as api, sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                result = run_lab(api, browser)
            finally:
                browser.close()
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        elif options["markdown"]:
            self.stdout.write(as_markdown(result))
        else:
            self.stdout.write(as_text(result))
