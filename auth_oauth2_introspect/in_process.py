"""The authorization server for an in-process request: this site, in a thread, over real HTTP, on the caller's database connection.

In-process measurements (compare_auth, the account-events and stolen-database
tables, the landing page's figures) and the test suite send their requests
through Django's test client: no server is listening, yet the introspection
namespaces must POST each token over HTTP. And they measure inside a
transaction that is rolled back (the account events), or that a test wraps:
a second process, or a second connection, would not see the token they just
issued.

So each thread that makes in-process requests gets its own authorization
server: a WSGI server on a free loopback port, in a thread of its own, that
serves this site with the calling thread's database connection (as Django's
LiveServerTestCase shares an in-memory SQLite connection). The caller is
blocked in urlopen while the server answers, so the connection is used by one
thread at a time. The server's queries are counted by its own request's
instrumentation, not the caller's (instrumentation.middleware.RequestCost
counts its own thread's). Only requests made inside ``authorization_server()``
are sent to it (a context variable), so a gunicorn thread that once measured
still sends its real requests to OAUTH2_INTROSPECT_URL.
"""

import threading
from collections import deque
from contextlib import contextmanager
from contextvars import ContextVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from django.urls import reverse

# The introspection URL for requests made in this context, when an in-process authorization server serves them.
introspection_url = ContextVar("introspection_url", default=None)

_servers = threading.local()  # this thread's InProcessServer, once started


class SharedConnection:
    """The caller's connection, as the server thread uses it: everything passed through, but never closed here.

    Django closes a request's "old" connections when the request ends
    (close_old_connections); inside the caller's transaction that would end it.
    The caller's own thread still manages its connection as usual.
    """

    def __init__(self, connection):
        object.__setattr__(self, "_connection", connection)

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def __setattr__(self, name, value):
        setattr(self._connection, name, value)

    def close_if_unusable_or_obsolete(self):
        pass

    def close(self):
        pass


class OwnThreadLog(deque):
    """A connection's queries_log that keeps only its own thread's queries (DEBUG's connection.queries, what
    django_assert_num_queries counts): the caller's requests' own, as with the authorization server in another
    process. The server's own request still counts its queries (instrumentation.middleware.RequestCost)."""

    def __init__(self, log):
        super().__init__(log, maxlen=log.maxlen)
        self.owner = threading.get_ident()

    def append(self, entry):
        if threading.get_ident() == self.owner:
            super().append(entry)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass  # the in-process server's requests are the measurement's, not the console's


class InProcessServer:
    """This site on 127.0.0.1:<free port>, served by wsgiref in a daemon thread, on the starting thread's connections."""

    def __init__(self):
        self.shared = {alias: connections[alias] for alias in connections}
        for connection in self.shared.values():
            connection.inc_thread_sharing()
            connection.queries_log = OwnThreadLog(connection.queries_log)
        self.httpd = make_server("127.0.0.1", 0, WSGIHandler(), server_class=WSGIServer, handler_class=QuietHandler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}" + reverse("oauth2_provider:introspect")
        self.thread = threading.Thread(
            target=self.serve, name=f"authorization server for {threading.current_thread().name}", daemon=True
        )
        self.thread.start()

    def serve(self):
        for alias, connection in self.shared.items():
            connections[alias] = SharedConnection(connection)
        self.httpd.serve_forever(poll_interval=0.5)


@contextmanager
def authorization_server():
    """Send the introspection namespaces' in-process requests made inside this block to this thread's own server."""
    server = getattr(_servers, "server", None)
    if server is None:
        server = _servers.server = InProcessServer()
    token = introspection_url.set(server.url)
    try:
        yield server.url
    finally:
        introspection_url.reset(token)
