"""The site's own settings, with a fast password hasher: for a server under test that must answer thousands of requests.

Basic hashes the password on every request (about 0.3 s with Django's PBKDF2
on this machine), so a schema fuzzer would spend most of its time there. Tests
only, as in conftest.py: the site itself keeps Django's hasher.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
