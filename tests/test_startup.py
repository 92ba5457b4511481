"""A wrong or unreachable DATABASE_URL or REDIS_URL stops start-up with one clear line, not a traceback."""

import os
import signal
import subprocess
import sys

import pytest

from config.startup import without_password

from .servers import ROOT, free_port, gunicorn

PASSWORD = "s3cret-in-the-url"


def start_up(command, env, seconds=60):
    """Run a start-up `command` to its exit: (exit status, stdout, stderr). A server still running after `seconds` fails."""
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a gunicorn's workers are stopped with it
    )
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{command[1:3]} was still running after {seconds}s instead of stopping")
    return process.returncode, out, err


def bad_urls(tmp_path):
    """Per variable, the values to try and the start of the line each must print (passwords hidden)."""
    closed = free_port()  # nothing listens there
    return {
        "malformed database": (
            {"DATABASE_URL": "nosuch://db"},
            "DATABASE_URL: cannot read nosuch://db: Scheme 'nosuch://' is unknown.",
        ),
        "unreachable database": (
            {"DATABASE_URL": f"postgres://alice:{PASSWORD}@127.0.0.1:{closed}/authdemo"},
            f"DATABASE_URL: cannot connect to postgres://alice:***@127.0.0.1:{closed}/authdemo: connection failed: "
            f'connection to server at "127.0.0.1", port {closed} failed: Connection refused',
        ),
        "malformed cache": (
            {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "redis://127.0.0.1:noport/0"},
            "REDIS_URL: cannot read redis://127.0.0.1:noport/0: Port could not be cast to integer value as 'noport'",
        ),
        "unreachable cache": (
            {
                "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                "REDIS_URL": f"redis://:{PASSWORD}@127.0.0.1:{closed}/0",
            },
            f"REDIS_URL: cannot connect to redis://:***@127.0.0.1:{closed}/0: "
            f"Error 111 connecting to 127.0.0.1:{closed}. Connection refused.",
        ),
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", ["malformed database", "unreachable database", "malformed cache", "unreachable cache"])
def test_manage_py_stops_with_one_line(case, tmp_path):
    env, line = bad_urls(tmp_path)[case]

    status, out, err = start_up([sys.executable, "manage.py", "migrate"], env)

    assert status == 1
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(line)
    assert PASSWORD not in err


@pytest.mark.slow
@pytest.mark.parametrize("case", ["unreachable database", "unreachable cache"])
@pytest.mark.parametrize("server", ["runserver", "gunicorn"])
def test_servers_stop_with_one_line(server, case, tmp_path):
    env, line = bad_urls(tmp_path)[case]
    port = free_port()
    command = {
        "runserver": [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        "gunicorn": gunicorn(port, "--workers", "1"),
    }[server]

    status, out, err = start_up(command, env)

    assert status != 0
    # gunicorn logs its own start and stop around it; the reason is one line, said once.
    assert [printed for printed in err.splitlines() if printed.startswith(line.split(":")[0])] == [line]
    assert "Traceback" not in err
    assert PASSWORD not in out + err


@pytest.mark.parametrize(
    ("url", "printed"),
    [
        ("postgres://alice:pw@db:5432/demo", "postgres://alice:***@db:5432/demo"),
        ("postgres://alice@db/demo", "postgres://alice@db/demo"),
        ("postgres://db/demo?sslmode=require&password=pw", "postgres://db/demo?sslmode=require&password=***"),
        ("redis://:pw@cache:6379/0", "redis://:***@cache:6379/0"),
        ("redis://user:p@ss@cache/0", "redis://user:***@cache/0"),
    ],
)
def test_printed_urls_hide_passwords(url, printed):
    assert without_password(url) == printed


@pytest.mark.slow
@pytest.mark.parametrize(
    "command", ["compare_auth", "account_events", "database_leak", "login_costs", "seed_demo", "seed_bench"]
)
def test_the_sites_commands_on_a_database_not_migrated_say_so(command, tmp_path):
    """A student who runs compare_auth before make demo gets one line naming the fix, and nothing is written."""
    database = tmp_path / "empty.sqlite3"
    status, out, err = start_up(
        [sys.executable, "manage.py", command], {"DATABASE_URL": f"sqlite:///{database}", "DJANGO_DEBUG": "0"}
    )
    assert status == 1
    assert "Traceback" not in err
    assert "unapplied migration(s): run `make demo` or `.venv/bin/python manage.py migrate` first" in err
    assert out == ""
