"""WSGI entry point, for gunicorn: `gunicorn config.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

from config.startup import exit_unless_services_answer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# A wrong DATABASE_URL or REDIS_URL: one line, not a traceback. Exit status 3 is
# gunicorn's "worker failed to boot": the master stops instead of starting new
# workers that would fail the same way, forever.
exit_unless_services_answer(exit_status=3)

application = get_wsgi_application()
