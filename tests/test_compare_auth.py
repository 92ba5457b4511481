"""`manage.py compare_auth`: every namespace measured in one run, with the contract's query counts."""

import json
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework_simplejwt.token_blacklist.models import OutstandingToken

from .conftest import NAMESPACES
from .test_namespaces import QUERIES

pytestmark = pytest.mark.django_db


def compare_auth(*args):
    out = StringIO()
    call_command("compare_auth", *args, stdout=out)
    return out.getvalue()


def test_json_has_every_namespace_with_exact_query_counts():
    result = json.loads(compare_auth("--requests", "5", "--json"))

    assert result["requests"] == 5
    assert list(result["namespaces"]) == NAMESPACES
    for ns, figures in result["namespaces"].items():
        assert figures["queries_per_request"] == QUERIES[ns], ns
        assert figures["queries_seen"] == {str(QUERIES[ns]): 5}, ns
        assert 0 < figures["median_ms"] <= figures["p95_ms"]
        assert figures["ratio_to_public"] == pytest.approx(
            figures["median_ms"] / result["namespaces"]["public"]["median_ms"]
        )
    assert result["namespaces"]["public"]["ratio_to_public"] == 1
    assert result["namespaces"]["token-cached"]["queries_first_request"] == 1  # the miss that fills the cache
    assert result["namespaces"]["basic"]["auth_median_ms"] > 0


def test_json_reports_the_instrumentation_overhead():
    overhead = json.loads(compare_auth("--requests", "5", "--json"))["instrumentation"]

    assert overhead["pairs"] == 50
    assert overhead["public_median_ms_with"] > 0
    assert overhead["public_median_ms_without"] > 0
    assert overhead["overhead_percent"] == pytest.approx(
        overhead["overhead_ms"] / overhead["public_median_ms_with"] * 100
    )


def test_table_names_every_namespace_and_the_overhead():
    printed = compare_auth("--requests", "3")

    for ns in NAMESPACES:
        assert f"\n{ns} " in printed
    assert "Instrumentation (QueryCountMiddleware)" in printed


def test_leaves_nothing_behind(django_user_model):
    compare_auth("--requests", "2", "--json")

    assert not django_user_model.objects.exists()
    assert not Session.objects.exists()
    assert not Token.objects.exists()
    assert not OutstandingToken.objects.exists()


def test_too_few_requests_is_a_clear_error():
    with pytest.raises(CommandError, match="at least 2"):
        compare_auth("--requests", "1")
