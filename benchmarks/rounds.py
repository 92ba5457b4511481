"""Paired, repeated capacity: every namespace measured in rounds, each ratio taken within its round, and the windows not worth showing marked.

No Locust, no site: the runner feeds it windows, the tests feed it recorded ones.

A window is one namespace measured at its knee for ``seconds`` by one load
generator: ``{"round", "ns", "tool", "users", "rps", "server_cores",
"server_core_cores", "attempt"}`` (CPU figures as cores used on average over
the window: the server's own, and its cores' whoever used them). A ratio is
taken within a round, against that round's ``public``, so that a slow
minute of the machine lowers both sides of it; the run reports the median
over the rounds and the spread (lowest, highest).
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


def ratios(windows, tool, namespaces):
    """{ns: {round: rps / that round's public rps}} for the rounds where both were measured."""
    counted = final(windows, tool)
    rounds = sorted({r for r, _ in counted})
    found = {ns: {} for ns in namespaces}
    for r in rounds:
        base = counted.get((r, BASELINE))
        if base is None or not base["rps"]:
            continue
        for ns in namespaces:
            if (r, ns) in counted:
                found[ns][r] = counted[(r, ns)]["rps"] / base["rps"]
    return found


def summarize(windows, namespaces, tool, server_cores, limit):
    """Per namespace: the median rps and ratio over the rounds, the ratio's spread, the rounds; and the marks."""
    counted = final(windows, tool)
    per_round = ratios(windows, tool, namespaces)
    rows, marked = {}, []
    for ns in namespaces:
        mine = {r: w for (r, n), w in counted.items() if n == ns}
        rps, _ = median_spread([w["rps"] for w in mine.values()])
        x_public, spread = median_spread(list(per_round[ns].values()))
        rows[ns] = {
            "rps": rps,
            "x_public": x_public,
            "x_public_spread": spread,
            "rounds": len(per_round[ns]),
            "windows": [
                {
                    "round": r,
                    "users": w["users"],
                    "rps": w["rps"],
                    "x_public": significant(per_round[ns][r]) if r in per_round[ns] else None,
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
