"""A logging filter: no traceback per request for an outage (outages.state logs one line when it starts and ends)."""

import logging

from .errors import service_down


class NoOutageTracebacks(logging.Filter):
    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "outage", None):
            return False
        return not (record.exc_info and service_down(record.exc_info[1]))
