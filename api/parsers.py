"""Request bodies: DRF's parsers, with one kind of malformed JSON that DRF lets through as a 500."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError

__all__ = ["JSONParser"]


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser; JSON nested deeper than Python's json module goes is a 400 like any other malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            # json.loads gives up after about a thousand levels of [ or { with a
            # RecursionError, not the ValueError DRF turns into a 400.
            raise ParseError("JSON parse error - nested too deeply") from None
