"""Compare the namespaces in-process: queries, request time and authentication time of GET me/, and the ratio to public."""

import json
from dataclasses import asdict

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils.module_loading import import_string

import registry
from api.management.migrated import MigratedDatabaseCommand
from costs import record
from costs.profile import PARTS, profile_namespaces
from measurements.measure import compare_namespaces, instrumentation_overhead

# Each public request takes about a millisecond, so the overhead can afford more samples than the namespaces.
OVERHEAD_PAIRS_PER_REQUEST = 10
# A signature takes microseconds to a couple of milliseconds: ten rounds per --requests.
ALGORITHM_ROUNDS_PER_REQUEST = 10


def backends():
    """Which database and cache answered, by the names Django gives them."""
    return {"database": connection.vendor, "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


class Command(MigratedDatabaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "--requests",
            type=int,
            default=100,
            help="timed GET me/ per namespace (default 100; each Basic request hashes the password, ~0.25 s)",
        )
        parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
        parser.add_argument(
            "--algorithms",
            action="store_true",
            help="instead: sign and verify time, token size and key size of HS256, RS256, PS256, ES256 and EdDSA",
        )
        parser.add_argument(
            "--profile",
            action="store_true",
            help="instead: where GET me/'s time goes in each namespace (framework, authentication's parts, view, "
            "serialization); --requests per namespace, fewer for one that spends its time budget (basic)",
        )
        parser.add_argument("--markdown", action="store_true", help="with --algorithms or --profile: a Markdown table")
        parser.add_argument(
            "--namespaces", help="a comma list of namespaces to measure (default: every one; include public for ratios)"
        )

    def handle(self, *args, requests, **options):
        if requests < 2:
            raise CommandError("--requests must be at least 2 (a median and a p95 need samples)")
        namespaces = self.namespaces(options["namespaces"])
        if options["algorithms"] or options["profile"]:
            return self.handle_costs(requests, namespaces, options)
        try:
            figures = compare_namespaces(requests, namespaces)
            overhead = instrumentation_overhead(requests * OVERHEAD_PAIRS_PER_REQUEST)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        result = {
            "requests": requests,
            "hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
            **backends(),
            "namespaces": {ns: asdict(ns_figures) for ns, ns_figures in figures.items()},
            "instrumentation": overhead,
        }
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            self.write_table(result)

    def namespaces(self, names):
        if not names:
            return None
        chosen = [name.strip() for name in names.split(",") if name.strip()]
        unknown = [name for name in chosen if name not in registry.namespaces()]
        if unknown or not chosen:
            raise CommandError(
                f"--namespaces: unknown {', '.join(unknown) or '(none given)'}; mounted: {', '.join(registry.namespaces())}"
            )
        return chosen

    def handle_costs(self, requests, namespaces, options):
        """--algorithms and --profile: each measured, kept for the /costs/ page (costs.record), then printed."""
        results = {}
        if options["algorithms"]:
            results["algorithms"] = import_string(settings.JWT_ALGORITHMS_COMPARISON + ".compare_algorithms")(
                requests * ALGORITHM_ROUNDS_PER_REQUEST
            )
        if options["profile"]:
            try:
                profiled = profile_namespaces(requests, namespaces)
            except RuntimeError as error:
                raise CommandError(str(error)) from error
            results["profile"] = {**backends(), "parts": list(PARTS), "namespaces": profiled}
        for kind, result in results.items():
            path = record.save(kind, result)
            self.stderr.write(f"kept for /costs/: {path}")
        if options["json"]:
            self.stdout.write(json.dumps(results, indent=2))
            return
        if "algorithms" in results:
            self.stdout.write(
                f"JWT signing algorithms, {results['algorithms']['rounds']} interleaved rounds, "
                "medians (a key made for the run, the JWT library's own backends):"
            )
            self.stdout.write(import_string(settings.JWT_ALGORITHMS_COMPARISON + ".markdown")(results["algorithms"]))
        if "profile" in results:
            self.stdout.write(profile_markdown(results["profile"]))

    def write_table(self, result):
        write = self.stdout.write
        write(
            f"GET /api/<ns>/me/ in-process, {result['requests']} requests per namespace, interleaved "
            f"(database {result['database']}, cache {result['cache']}, hasher {result['hasher']})"
        )
        width = max(15, *map(len, result["namespaces"]))  # oauth2-introspect-cached is 24 characters
        write(f"{'namespace':<{width}} {'queries':>8} {'median ms':>10} {'p95 ms':>8} {'auth ms':>8} {'x public':>9}")
        for ns, f in result["namespaces"].items():
            notes = []
            if f["queries_first_request"] != f["queries_per_request"]:
                notes.append(f"{f['queries_first_request']} on the untimed first request")
            if len(f["queries_seen"]) > 1:  # token-cached: an entry older than TOKEN_CACHE_SECONDS expired mid-run
                notes.append("queries seen: " + ", ".join(f"{n} x{count}" for n, count in f["queries_seen"].items()))
            cold = f" ({'; '.join(notes)})" if notes else ""
            ratio = f"{f['ratio_to_public']:.2f}" if f["ratio_to_public"] is not None else "-"
            write(
                f"{ns:<{width}} {f['queries_per_request']:>8g} {f['median_ms']:>10.3f} {f['p95_ms']:>8.3f} "
                f"{f['auth_median_ms']:>8.3f} {ratio:>9}{cold}"
            )
        o = result["instrumentation"]
        write(
            f"Instrumentation (QueryCountMiddleware), {o['pairs']} pairs: public median {o['public_median_ms_with']:.3f} ms "
            f"with it, {o['public_median_ms_without']:.3f} ms without: {o['overhead_ms']:+.3f} ms "
            f"({o['overhead_percent']:+.1f}% of public's median)"
        )


def profile_markdown(profile):
    """Where GET me/'s time goes, one row per namespace, one column per part (median ms)."""
    columns = ["namespace", "requests", *profile["parts"], "total"]
    lines = ["| " + " | ".join(columns) + " |", "|---|" + "---:|" * (len(columns) - 1)]
    for ns, figures in profile["namespaces"].items():
        parts = [f"{figures['parts_ms'][part]:.3f}" for part in profile["parts"]]
        lines.append(f"| `{ns}` | {figures['requests']} | " + " | ".join(parts) + f" | {figures['total_ms']:.3f} |")
    return "\n".join(lines)
