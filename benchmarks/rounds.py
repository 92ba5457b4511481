"""Paired, repeated capacity: every namespace measured in rounds, each ratio taken within its round, and the windows not worth showing marked.

No Locust, no site: the runner feeds it windows, the tests feed it recorded ones.

A window is one namespace measured at its knee for ``seconds`` by one load
generator: ``{"round", "ns", "tool", "users", "rps", "server_cores",
"server_core_cores", "attempt"}`` (CPU figures as cores used on average over
the window: the server's own, and its cores' whoever used them). A ratio is
taken within a round, against that round's ``public``, so that a slow
minute of the machine lowers both sides of it; the run reports the median
over the rounds and the spread (lowest, highest).

The figure a ratio is taken of is the window's **requests per server
CPU-second** (``rps / server_cores``), not its req/s: on a shared machine the
server gets a different share of its core from one window to the next (0.73
of a core under Locust, 0.97 under wrk, in one run of issue 20), and req/s
moves with that share while the work per request does not. A window without
a CPU figure counts its req/s (``basis`` says which).
"""

from benchmarks.stats import median_spread, significant

BASELINE = "public"
DISAGREE = 0.10  # a round's ratio this far outside the other rounds' spread is marked


def order(namespaces, round_number):
    """The namespaces in round `round_number` (1, 2, ...): the list turned by one place each round."""
    turn = (round_number - 1) % len(namespaces) if namespaces else 0
    return namespaces[turn:] + namespaces[:turn]


def others_share(window, server_cores):
    """The share of the server's cores that other processes took during the window (None if not measured)."""
    busy, server = window.get("server_core_cores"), window.get("server_cores")
    if busy is None or server is None:
        return None
    return round(max(0.0, busy - server) / server_cores, 3)


def shared(window, server_cores, limit):
    share = others_share(window, server_cores)
    return share is not None and share > limit


def final(windows, tool):
    """{(round, ns): the window that counts}: the last attempt of each."""
    found = {}
    for window in sorted((w for w in windows if w["tool"] == tool), key=lambda w: w["attempt"]):
        found[(window["round"], window["ns"])] = window
    return found


def per_cpu_second(window):
    """The window's requests per second of the server's CPU time; None without a CPU figure (or with none used)."""
    cores = window.get("server_cores")
    if not cores or cores <= 0:
        return None
    return window["rps"] / cores


def capacity(window, base):
    """(the window's figure, public's) on one basis: per server CPU-second when both windows have it, else req/s."""
    ours, theirs = per_cpu_second(window), per_cpu_second(base)
    if ours is None or theirs is None:
        return window["rps"], base["rps"]
    return ours, theirs


def ratios(windows, tool, namespaces, raw=False):
    """{ns: {round: capacity / that round's public capacity}} for the rounds where both were measured.

    Capacity is requests per server CPU-second (``capacity``); ``raw=True``: req/s as measured.
    """
    counted = final(windows, tool)
    rounds = sorted({r for r, _ in counted})
    found = {ns: {} for ns in namespaces}
    for r in rounds:
        base = counted.get((r, BASELINE))
        if base is None or not base["rps"]:
            continue
        for ns in namespaces:
            if (r, ns) in counted:
                window = counted[(r, ns)]
                ours, theirs = (window["rps"], base["rps"]) if raw else capacity(window, base)
                if theirs:
                    found[ns][r] = ours / theirs
    return found


def summarize(windows, namespaces, tool, server_cores, limit):
    """Per namespace: the median rps and ratio over the rounds, the ratio's spread, the rounds; and the marks."""
    counted = final(windows, tool)
    per_round = ratios(windows, tool, namespaces)
    raw_per_round = ratios(windows, tool, namespaces, raw=True)
    rows, marked = {}, []
    for ns in namespaces:
        mine = {r: w for (r, n), w in counted.items() if n == ns}
        rps, _ = median_spread([w["rps"] for w in mine.values()])
        per_cpu = [f for f in map(per_cpu_second, mine.values()) if f is not None]
        rps_per_cpu, _ = median_spread(per_cpu)
        x_public, spread = median_spread(list(per_round[ns].values()))
        raw_x_public, raw_spread = median_spread(list(raw_per_round[ns].values()))
        rows[ns] = {
            "rps": rps,
            "rps_per_cpu_second": rps_per_cpu,
            "basis": "per server CPU-second" if per_cpu and len(per_cpu) == len(mine) else "req/s",
            "x_public": x_public,  # of the requests per server CPU-second
            "x_public_spread": spread,
            "raw_x_public": raw_x_public,  # of req/s as measured
            "raw_x_public_spread": raw_spread,
            "rounds": len(per_round[ns]),
            "windows": [
                {
                    "round": r,
                    "users": w["users"],
                    "rps": w["rps"],
                    "server_cores": w.get("server_cores"),
                    "rps_per_cpu_second": significant(per_cpu_second(w)) if per_cpu_second(w) is not None else None,
                    "x_public": significant(per_round[ns][r]) if r in per_round[ns] else None,
                    "raw_x_public": significant(raw_per_round[ns][r]) if r in raw_per_round[ns] else None,
                    "others_share": others_share(w, server_cores),
                    "attempts": w["attempt"],
                }
                for r, w in sorted(mine.items())
            ],
        }
        for r, w in sorted(mine.items()):
            if shared(w, server_cores, limit):
                marked.append(
                    {
                        "namespace": ns,
                        "round": r,
                        "tool": tool,
                        "why": f"other processes took {others_share(w, server_cores):.0%} of the server's core "
                        f"(more than {limit:.0%}), measured {w['attempt']} time(s)",
                    }
                )
        if ns != BASELINE:
            marked += disagreeing(ns, per_round[ns], tool)
    return rows, marked


def disagreeing(ns, by_round, tool):
    """Rounds whose ratio lies more than DISAGREE outside the spread of the other rounds (with three rounds or more)."""
    found = []
    if len(by_round) < 3:
        return found
    for r, value in sorted(by_round.items()):
        rest = [v for other, v in by_round.items() if other != r]
        low, high = min(rest) * (1 - DISAGREE), max(rest) * (1 + DISAGREE)
        if not low <= value <= high:
            found.append(
                {
                    "namespace": ns,
                    "round": r,
                    "tool": tool,
                    "why": f"x public {value:.2f} in round {r}, outside the other rounds' "
                    f"{min(rest):.2f}-{max(rest):.2f} by more than {DISAGREE:.0%}",
                }
            )
    return found


def partial(namespaces, mounted):
    """A mark when the run measured fewer namespaces than the server mounts: its ratios cannot stand for the site."""
    missing = [ns for ns in mounted if ns not in namespaces]
    if not missing:
        return []
    return [
        {
            "namespace": None,
            "round": None,
            "tool": None,
            "why": f"a partial run: {len(namespaces)} of the {len(mounted)} namespaces mounted (not {', '.join(missing)})",
        }
    ]
