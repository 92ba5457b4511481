#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.startup import exit_unless_services_answer, needs_services

    if needs_services(sys.argv):
        exit_unless_services_answer()  # a wrong DATABASE_URL or REDIS_URL: one line, not a traceback
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
