"""The benchmark's options, defined once: each a command-line flag with a ``BENCH_*`` environment fallback.

    .venv/bin/python benchmarks/run.py --help       # every option of make bench, with its variable and default

Two groups, one list each. The locustfile's options go into Locust's own
parser (``events.init_command_line_parser``, as Locust's
examples/add_command_line_argument.py does): Locust parses them with its own
(a misspelt ``--bench-*`` flag is refused with a suggestion), its web UI
shows the steps and seconds, and the locustfile reads
``environment.parsed_options``. The
runner's options go into a parser of the same kind (configargparse, which
Locust's parser is built on; the runner must not import Locust, which patches
the process with gevent). ``BenchConfig`` is the typed result for the runner.

A flag wins over its variable, the variable over the default: ``BENCH_SECONDS=3
make bench`` and ``benchmarks/run.py --bench-seconds 3`` are the same run.
"""

import os
import shutil
from dataclasses import dataclass, field

import configargparse

MODES = ("all", "capacity", "latency", "growth")


def whole(text):
    """A whole number of at least 1 (argparse shows the ValueError as "invalid whole value")."""
    value = int(text)
    if value < 1:
        raise ValueError(text)
    return value


whole.__name__ = "whole"  # argparse names the type in its error message


def whole_list(text):
    """Rising whole numbers, e.g. 1,2,4,8."""
    values = [whole(part) for part in text.split(",") if part.strip()]
    if not values or values != sorted(set(values)):
        raise ValueError(text)
    return tuple(values)


whole_list.__name__ = "comma list of rising whole numbers"


def names(text):
    return tuple(part.strip() for part in text.split(",") if part.strip())


def cpus(text):
    """CPU numbers, e.g. 0 or 2,3; empty: the runner's default."""
    return tuple(sorted({int(part) for part in text.split(",") if part.strip()}))


cpus.__name__ = "comma list of CPU numbers"


def share(text):
    value = float(text)
    if not 0 < value <= 1:
        raise ValueError(text)
    return value


share.__name__ = "fraction between 0 and 1"


def wrk_installed():
    """Whether wrk is on the PATH (Debian: apt-get install wrk): then every run has its second opinion by default."""
    return shutil.which("wrk") is not None


def flag(text):
    return text not in ("", "0", "false", "no")


def _add(parser, name, env, help, web=False, **kwargs):
    """One option: --bench-<name>, falling back to $<env>. Locust's parser also takes whether its web UI shows it."""
    if hasattr(parser, "args_included_in_web_ui"):  # Locust's LocustArgumentParser
        kwargs["include_in_web_ui"] = web
    default = kwargs.get("default")
    default_text = ",".join(map(str, default)) if isinstance(default, tuple) else default
    shown = f" (default {default_text})" if default not in (None, "", ()) else ""
    parser.add_argument(f"--bench-{name}", env_var=env, help=help + shown, **kwargs)


def add_locust_arguments(parser):
    """What the locustfile reads: the runner passes these on Locust's command line, a user of `make locust` may too."""
    _add(parser, "accounts-file", "BENCH_ACCOUNTS_FILE", "the output of `manage.py seed_bench --json`", default="")
    _add(
        parser, "api-index", "BENCH_API_INDEX", "GET /api/ saved to a file; without it, fetched from --host", default=""
    )
    _add(parser, "figures", "BENCH_FIGURES", "write the exact figures to this JSON file when Locust quits", default="")
    _add(
        parser,
        "credentials",
        "BENCH_CREDENTIALS",
        "a folder where each user keeps its credential, so that a later Locust process reuses it instead of "
        "logging in again (each login hashes a password)",
        default="",
    )
    _add(
        parser, "steps", "BENCH_STEPS", "users in steps, e.g. 1,2,4,8: measured one after another", default="", web=True
    )
    _add(parser, "seconds", "BENCH_SECONDS", "measured seconds per step", type=whole, default=5, web=True)
    _add(parser, "knee", "BENCH_KNEE", "stop the steps at the knee (1) or run them all (0)", type=flag, default=False)
    _add(
        parser,
        "tasks",
        "BENCH_TASKS",
        "`me`: only GET me/, no think time (the capacity run); empty: the mix",
        default="",
    )
    _add(parser, "server-pid", "BENCH_SERVER_PID", "the server's pid, to measure its CPU per step", type=int, default=0)
    _add(
        parser,
        "server-cores",
        "BENCH_SERVER_CORES",
        "the server's CPUs, to measure how busy they were",
        type=cpus,
        default=(),
    )
    _add(
        parser,
        "workers",
        "BENCH_WORKERS",
        "how many Locust workers share the accounts (workers on several hosts; --processes sets it here)",
        type=int,
        default=0,
    )


def add_runner_arguments(parser):
    """What make bench (benchmarks/run.py) reads."""
    _add(parser, "mode", "BENCH_MODE", "capacity, latency, all (both) or growth", choices=MODES, default="all")
    _add(parser, "users", "BENCH_USERS", "the light-load run's users", type=whole, default=10)
    _add(
        parser,
        "seconds",
        "BENCH_SECONDS",
        "measured seconds per window: each step, each round, the light-load run",
        type=whole,
        default=3,
    )
    _add(
        parser,
        "steps",
        "BENCH_STEPS",
        "the capacity run's user counts, to find each namespace's knee",
        type=whole_list,
        default=(1, 2, 4, 8),
    )
    _add(
        parser,
        "rounds",
        "BENCH_ROUNDS",
        "capacity rounds: each measures every namespace at its knee, in an order that turns from round to round",
        type=whole,
        default=3,
    )
    _add(
        parser,
        "schemes",
        "BENCH_SCHEMES",
        "comma list of namespaces; default: every one GET /api/ lists",
        type=names,
        default=(),
    )
    _add(
        parser,
        "processes",
        "BENCH_PROCESSES",
        "Locust's --processes N for the light-load run; 0: one process",
        type=int,
        default=0,
    )
    _add(
        parser,
        "server-cores",
        "BENCH_SERVER_CORES",
        "CPUs for gunicorn, one worker each; default: the first",
        type=cpus,
        default=(),
    )
    _add(
        parser,
        "locust-cores",
        "BENCH_LOCUST_CORES",
        "CPUs for Locust (and wrk); default: the others",
        type=cpus,
        default=(),
    )
    _add(
        parser,
        "profile-requests",
        "BENCH_PROFILE_REQUESTS",
        "GET me/ per namespace for the report's \"where the server's time goes\" (manage.py compare_auth --profile, "
        "in-process, once the load runs are over); 0: none",
        type=int,
        default=1000,
    )
    _add(
        parser,
        "wrk",
        "BENCH_WRK",
        "1: wrk beside Locust in every round, a second opinion; 0: Locust alone (default: 1 when wrk is installed)",
        type=flag,
        default=wrk_installed(),
    )
    _add(
        parser,
        "shared-limit",
        "BENCH_SHARED_LIMIT",
        "a window in which other processes took more than this share of the server's core is measured again, "
        "then marked",
        type=share,
        default=0.25,
    )
    _add(
        parser,
        "locust-cpu-limit",
        "BENCH_LOCUST_CPU_LIMIT",
        "a step in which Locust used more of its core than this fails the run (it measured Locust)",
        type=share,
        default=0.9,
    )
    _add(
        parser,
        "growth-rows",
        "BENCH_GROWTH_ROWS",
        "the growth run's table sizes",
        type=whole_list,
        default=(1000, 1000000),
    )
    _add(
        parser,
        "growth-schemes",
        "BENCH_GROWTH_SCHEMES",
        "the growth run's namespaces",
        type=names,
        default=("token", "session", "jwt"),
    )
    _add(
        parser,
        "database",
        "BENCH_DATABASE",
        "the benchmark database's name on a PostgreSQL DATABASE_URL",
        default="authdemo_bench",
    )
    _add(parser, "results", "BENCH_RESULTS", "where runs are written; default benchmarks/results", default="")


@dataclass(frozen=True)
class BenchConfig:
    """One make bench run's settings, typed."""

    mode: str = "all"
    users: int = 10
    seconds: int = 3
    steps: tuple[int, ...] = (1, 2, 4, 8)
    rounds: int = 3
    schemes: tuple[str, ...] = ()
    processes: int = 0
    server_cores: tuple[int, ...] = ()
    locust_cores: tuple[int, ...] = ()
    profile_requests: int = 1000
    wrk: bool = False
    shared_limit: float = 0.25
    locust_cpu_limit: float = 0.9
    growth_rows: tuple[int, ...] = (1000, 1000000)
    growth_schemes: tuple[str, ...] = ("token", "session", "jwt")
    database: str = "authdemo_bench"
    results: str = ""
    cores: dict = field(default_factory=dict)  # {"server": [...], "locust": [...]}, resolved against this machine

    @classmethod
    def parse(cls, args=None, available=None):
        """From the command line and the environment; CPU numbers checked against this machine's."""
        parser = configargparse.ArgumentParser(
            prog="benchmarks/run.py",
            description="make bench: the capacity and light-load runs (see docs/benchmarks.md)",
        )
        add_runner_arguments(parser)
        # An empty variable counts as unset (BENCH_STEPS= make bench: the default steps), as DATABASE_URL's does.
        options = parser.parse_args(args, env_vars={k: v for k, v in os.environ.items() if v != ""})
        fields = {name: getattr(options, f"bench_{name}") for name in cls.__dataclass_fields__ if name != "cores"}
        available = sorted(available if available is not None else os.sched_getaffinity(0))
        server = list(fields["server_cores"] or available[:1])
        locust = list(fields["locust_cores"] or [c for c in available if c not in server] or available[-1:])
        unknown = sorted(set(server + locust) - set(available))
        if unknown:
            parser.error(f"CPU(s) {unknown} not available; this machine has {available}")
        return cls(**fields, cores={"server": server, "locust": locust})
