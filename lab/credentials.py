"""Who the lab logs in as: seed_demo's alice, the demo user `make demo` prints (never a real account)."""

from api.seeding import DEMO_USERS

DEMO_USER = "alice"
DEMO_PASSWORD = DEMO_USERS[DEMO_USER]
