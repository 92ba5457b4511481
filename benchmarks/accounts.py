"""The benchmark's accounts, one per simulated user: named here once for `manage.py seed_bench` and the locustfile.

Like the demo users, they are documented accounts for a local load test, not secrets.
"""

PASSWORD = "bench-demo-pass"


def username(index):
    return f"bench{index:04d}"
