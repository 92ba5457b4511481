"""Exact figures from every response, and the steps of users that find a namespace's capacity.

No Locust and no site imports: the locustfile feeds ``Records``, its shape
asks a ``Stepper`` what to do next, and the tests can drive both by hand.

Percentiles here are nearest-rank over the exact round trips
(benchmarks/stats.py). Locust's own come from buckets rounded to two
significant digits: 3 ms and 4 ms, nothing between.
"""

from collections import Counter

from benchmarks.stats import best_step, percentile

KNEE_GAIN = 1.05  # a step that adds less than 5% req/s to the best so far has stopped rising...
KNEE_LATENCY = 1.25  # ...and latency is climbing if its p50 is 25% above that best step's
KNEE_PATIENCE = 2  # two such steps in a row: one alone may be a burst of other work on a shared machine
LOGIN_TIMEOUT = 60  # seconds for a step's new users to log in (each login hashes a password)


def exact(values):
    return None if values is None else round(values, 3)


class Records:
    """Every response, per request name: [start (epoch s), round trip ms, server total ms, X-DB-Queries, auth ms, failed]."""

    def __init__(self):
        self.by_name = {}
        self.ready = 0  # simulated users that have logged in

    def logged_in(self):
        self.ready += 1

    def add(self, name, start, ms, cost, failed=False):
        queries, timings = cost if cost else (None, {})
        self.by_name.setdefault(name, []).append(
            (start, ms, timings.get("total"), queries, timings.get("auth"), failed)
        )

    def take(self):
        """Everything since the last take (what a worker sends its master), and start again."""
        taken, self.by_name = self.by_name, {}
        return taken

    def merge(self, by_name):
        for name, rows in by_name.items():
            self.by_name.setdefault(name, []).extend(tuple(row) for row in rows)

    def summary(self, windows=None):
        """Per request name, the exact figures of the responses that started inside `windows` ([(t0, t1), ...]; None: all)."""
        result = {}
        for name, rows in sorted(self.by_name.items()):
            if windows is not None:
                rows = [row for row in rows if any(t0 <= row[0] < t1 for t0, t1 in windows)]
            if rows:
                result[name] = figures_of(rows)
        return result

    def window(self, suffix, t0, t1):
        """The rows of request names ending in `suffix` that started in [t0, t1)."""
        return [
            row for name, rows in self.by_name.items() if name.endswith(suffix) for row in rows if t0 <= row[0] < t1
        ]


def figures_of(rows):
    ok = [row for row in rows if not row[5]]
    times = sorted(row[1] for row in ok)
    server = sorted(row[2] for row in ok if row[2] is not None)
    measured = [row for row in ok if row[3] is not None]
    queries = Counter(row[3] for row in measured)
    return {
        "responses": len(rows),
        "failures": len(rows) - len(ok),
        "p50_ms": exact(percentile(times, 0.50)),
        "p95_ms": exact(percentile(times, 0.95)),
        "p99_ms": exact(percentile(times, 0.99)),
        "server_ms_p50": exact(percentile(server, 0.50)),
        "db_queries": round(sum(n * c for n, c in queries.items()) / len(measured), 4) if measured else None,
        "queries_seen": {str(n): c for n, c in sorted(queries.items())},
        "auth_ms": round(sum(row[4] or 0 for row in measured) / len(measured), 3) if measured else None,
    }


class Stepper:
    """Users in steps: spawn a step's users, wait until all have logged in, measure `seconds`, then decide.

    ``tick`` returns what a Locust ``LoadTestShape.tick`` returns: (users,
    spawn rate) to go on, None to stop. With ``knee``, it stops once a step's
    req/s stopped rising while its latency climbed: the namespace's capacity
    was the best step before it.
    """

    def __init__(self, steps, seconds, knee=True, measured="GET me/", cpu=None):
        self.steps, self.seconds, self.knee, self.measured = steps, seconds, knee, measured
        self.cpu = cpu or {}  # name -> a function giving CPU seconds so far (Locust's own, the server's)
        self.index, self.phase, self.since = 0, "spawn", None
        self.steps_done, self.stop_reason, self.measuring = [], None, None

    def windows(self):
        return [(step["t0"], step["t1"]) for step in self.steps_done]

    def tick(self, now, records, settle=0.0):
        users = self.steps[self.index]
        if self.phase == "spawn":
            self.since = now if self.since is None else self.since
            if records.ready < users:
                if now - self.since > LOGIN_TIMEOUT:
                    self.stop_reason = f"only {records.ready} of {users} users had logged in after {LOGIN_TIMEOUT} s"
                    return None
                return users, 100
            self.phase, self.measuring = "measure", {"t0": now, **self.cpu_now()}
        if self.phase == "measure":
            if now < self.measuring["t0"] + self.seconds:
                return users, 100
            self.phase, self.measuring = "settle", {**self.measuring, "t1": now, **self.cpu_now("_end")}
        if now < self.measuring["t1"] + settle:  # a master waits for its workers' last report
            return users, 100
        self.steps_done.append(self.step_figures(users, records))
        self.stop_reason = self.reason_to_stop()
        if self.stop_reason:
            return None
        self.index, self.phase, self.since = self.index + 1, "spawn", None
        return self.steps[self.index], 100

    def cpu_now(self, suffix=""):
        return {f"{name}{suffix}": read() for name, read in self.cpu.items()}

    def step_figures(self, users, records):
        m = self.measuring
        wall = m["t1"] - m["t0"]
        rows = records.window(self.measured, m["t0"], m["t1"])
        step = (
            {"users": users, "t0": m["t0"], "t1": m["t1"], "seconds": round(wall, 3), **figures_of(rows)}
            if rows
            else {
                "users": users,
                "t0": m["t0"],
                "t1": m["t1"],
                "seconds": round(wall, 3),
                "responses": 0,
                "failures": 0,
            }
        )
        ok = step["responses"] - step["failures"]
        step["rps"] = round(ok / wall, 2)
        measured = [row[3] for row in rows if row[3] is not None and not row[5]]
        step["db_queries_per_second"] = round(sum(measured) / wall, 2)
        for name in self.cpu:
            before, after = m.get(name), m.get(f"{name}_end")
            step[f"{name}_cores"] = None if before is None or after is None else round((after - before) / wall, 3)
        return step

    def reason_to_stop(self):
        done = self.steps_done
        if done[-1]["rps"] == 0:
            return f"no successful {self.measured} at {done[-1]['users']} users"
        if self.index == len(self.steps) - 1:
            return f"the last step ({self.steps[-1]} users)"
        if not self.knee or len(done) <= KNEE_PATIENCE:
            return None
        best = best_step(done[:-KNEE_PATIENCE])
        past = done[-KNEE_PATIENCE:]
        if all(s["rps"] < best["rps"] * KNEE_GAIN and s["p50_ms"] > best["p50_ms"] * KNEE_LATENCY for s in past):
            last = past[-1]
            return (
                f"the knee: at {last['users']} users req/s was {last['rps'] / best['rps']:.2f}x that of "
                f"{best['users']} users while p50 rose {last['p50_ms'] / best['p50_ms']:.1f}x"
            )
        return None


def user_class_name(ns):
    """token-cached -> TokenCachedUser: the locustfile's class for a namespace, to name on Locust's command line."""
    return "".join(part.capitalize() for part in ns.replace("_", "-").split("-") if part) + "User"
