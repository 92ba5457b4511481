"""The measuring commands print what they measured three ways: a terminal's text, the Markdown docs/ shows, or JSON."""

import json

from django.core.management.base import BaseCommand


class MeasurementCommand(BaseCommand):
    """Subclasses say how to measure and how to print it: `measure(**options)`, `as_text`, `as_markdown`, `as_json`.

    `--json` and `--markdown` exclude each other; without either the command prints `as_text`.
    """

    json_help = "machine-readable output"
    markdown_help = "Markdown, as docs/ shows it"

    def add_arguments(self, parser):
        output = parser.add_mutually_exclusive_group()
        output.add_argument("--json", action="store_true", help=self.json_help)
        output.add_argument("--markdown", action="store_true", help=self.markdown_help)

    def handle(self, *args, json=False, markdown=False, **options):
        measured = self.measure(**options)
        if json:
            self.stdout.write(dumps(self.as_json(measured)))
        elif markdown:
            self.stdout.write(self.as_markdown(measured))
        else:
            self.stdout.write(self.as_text(measured))

    def measure(self, **options):
        raise NotImplementedError

    def as_json(self, measured):
        return measured

    def as_markdown(self, measured):
        raise NotImplementedError

    def as_text(self, measured):
        return self.as_markdown(measured)


def dumps(data):
    return json.dumps(data, indent=2)
