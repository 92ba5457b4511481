"""make demo's server: gunicorn, as make bench serves the site, set up for one person exploring it.

    gunicorn -c config/gunicorn.py --bind 127.0.0.1:8000 config.wsgi    (what make demo runs)

Why not Django's runserver: it writes each response in several small pieces
(status line, Date, Server, the other headers, the body) and leaves Nagle's
algorithm on, so after the first piece the kernel holds the rest until the
client acknowledges it, and a client that keeps its connection alive (every
browser, wrk, Locust) delays that acknowledgement by up to 40 ms. Every
response after the first then takes about 40 ms, whatever the view did.
gunicorn sets TCP_NODELAY on its socket, and a keep-alive client gets each
response as soon as the server has made it (docs/serving.md, "Serving the demo").
"""

import os
import signal

# One process, so that everything a request leaves in the process is found by
# the next one: the local-memory cache (the login throttle's counts, token-cached's
# entries: with two processes a logged-out token could work in one and not the
# other) and the figures the landing page measures once per process. The SQL
# panel keeps nothing between requests (each request's recorder lives on the
# request), so it would not mind; the rest would. make bench runs one process
# per core instead, with nothing to show but throughput.
workers = 1

# Threads, so that one slow request does not hold up the others: Basic's password
# hash (hashlib lets the other threads run while it hashes) and database waits.
# Six, because a browser opens at most six connections to one server: the race's
# six requests in flight, or a page and its static files, are all served at once.
worker_class = "gthread"
threads = 6
keepalive = 5  # seconds an idle keep-alive connection is kept, as make bench

# With DJANGO_DEBUG=1 (make demo's default), restart the worker when a Python
# file it loaded changes, as runserver does, and when a template changes: Django
# caches compiled templates even with DEBUG on, and only runserver knows to reset
# that cache. Static files need nothing: whitenoise rereads them with DEBUG on.
reload = os.environ.get("DJANGO_DEBUG", "0").strip().lower() in {"1", "true", "yes", "on"}
reload_extra_files = ["*/templates/**/*.html"]

accesslog = "-"  # every request on the terminal, as runserver prints them
# No control socket: its default path is one per user, so two demos on two ports would share it.
control_socket_disable = True


def post_worker_init(worker):
    """Ctrl-C is the master's to handle: the worker ignores SIGINT.

    A terminal sends Ctrl-C's SIGINT to every process of the foreground group,
    the worker included, and the master answers its own copy by sending each
    worker SIGQUIT. A worker that handled both could be stopping its thread pool
    for the first signal when the second came in, and the second handler then
    waited forever for the lock the first one held (ThreadPoolExecutor.shutdown):
    the master, waiting for that worker, left make demo running for its whole
    graceful timeout. With SIGINT ignored here, a worker gets one signal to stop.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
