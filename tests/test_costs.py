"""What it costs: `compare_auth --algorithms` and `--profile`, the /costs/ page, and docs/jwt-algorithms.md's copy of the table."""

import json
import re
from io import StringIO

import pytest
from django.core.management import call_command
from rest_framework_simplejwt.exceptions import TokenBackendError

from auth_jwt_rsa import algorithms
from costs import profile
from costs.profile import CACHE, CALL, CRYPTO, DATABASE, PARTS

from .servers import ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def costs_dir(settings, tmp_path):
    """Each test keeps its measurements in a directory of its own, never the checkout's .costs/."""
    settings.COSTS_DIR = tmp_path / "costs"
    return settings.COSTS_DIR


def compare_auth(*args):
    out, err = StringIO(), StringIO()
    call_command("compare_auth", *args, stdout=out, stderr=err)
    return out.getvalue()


# --- The algorithms


def test_every_algorithm_signs_a_token_its_key_verifies_and_the_others_refuse():
    signers = algorithms.signers()
    payload = algorithms.demo_payload()

    assert [s.algorithm for s in signers] == ["HS256", "RS256", "PS256", "ES256", "EdDSA"]
    for signer in signers:
        token = signer.backend.encode(payload)
        assert signer.backend.decode(token)["username"] == "alice"
        for other in signers:
            if other is not signer:
                with pytest.raises(TokenBackendError):
                    other.backend.decode(token)


def test_algorithms_json_measures_each_in_one_run(costs_dir):
    result = json.loads(compare_auth("--algorithms", "--requests", "2", "--json"))["algorithms"]

    assert result["rounds"] == 20
    assert list(result["algorithms"]) == list(algorithms.ALGORITHMS)
    for name, row in result["algorithms"].items():
        assert row["verifies_with_its_key"], name
        assert row["refused_by_the_others"], name
        assert row["sign_us"] > 0
        assert row["verify_us"] > 0
    rows = result["algorithms"]
    assert [rows[n]["signature_bytes"] for n in algorithms.ALGORITHMS] == [32, 256, 256, 64, 64]
    assert [rows[n]["key_bits"] for n in algorithms.ALGORITHMS] == [256, 2048, 2048, 256, 256]
    assert rows["HS256"]["public_jwk_bytes"] is None
    assert json.loads((costs_dir / "algorithms.json").read_text())["algorithms"] == rows  # kept for /costs/


def table_of(markdown):
    """The rows of the first Markdown table in `markdown`, as lists of cells."""
    lines = [line for line in markdown.splitlines() if line.startswith("| `")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


TIMES = (2, 3)  # sign µs, verify µs: measured, so only present; every other column repeats exactly


def test_docs_copy_of_the_algorithms_table_matches_the_command():
    doc = (ROOT / "docs" / "jwt-algorithms.md").read_text()
    copied = table_of(doc.split("<!-- compare_auth --algorithms --markdown -->")[1])
    measured = table_of(compare_auth("--algorithms", "--requests", "2", "--markdown"))

    assert len(copied) == len(measured) == 5
    for doc_row, row in zip(copied, measured, strict=True):
        assert [c for i, c in enumerate(doc_row) if i not in TIMES] == [c for i, c in enumerate(row) if i not in TIMES]
        assert all(re.fullmatch(r"\d+", doc_row[i]) for i in TIMES), doc_row


# --- Where the time goes


def test_profile_splits_each_namespace_into_its_parts(costs_dir):
    namespaces = ["public", "token", "token-cached", "jwt-stateless"]
    result = json.loads(compare_auth("--profile", "--requests", "5", "--namespaces", ",".join(namespaces), "--json"))

    figures = result["profile"]["namespaces"]
    assert list(figures) == namespaces
    assert result["profile"]["parts"] == list(PARTS)
    for ns, ns_figures in figures.items():
        assert ns_figures["requests"] == 5
        assert set(ns_figures["parts_ms"]) == set(PARTS)
        assert ns_figures["parts_ms"]["framework and middleware"] > 0, ns
        assert ns_figures["parts_ms"]["view"] > 0, ns
        assert ns_figures["parts_ms"]["serialization"] > 0, ns
    assert [figures[ns]["parts_ms"][DATABASE] > 0 for ns in namespaces] == [False, True, False, False]
    assert [figures[ns]["parts_ms"][CACHE] > 0 for ns in namespaces] == [False, False, True, False]
    assert figures["jwt-stateless"]["parts_ms"][CRYPTO] > 0  # the HMAC check
    assert figures["public"]["parts_ms"][CRYPTO] == 0
    assert (costs_dir / "profile.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.slow  # the authorization server the introspecting namespaces ask: this site, in a thread, over HTTP
def test_the_profile_shows_the_introspection_round_trip_and_the_authorization_servers_query(costs_dir):
    namespaces = ["oauth2", "oauth2-introspect", "oauth2-introspect-cached"]
    result = json.loads(compare_auth("--profile", "--requests", "5", "--namespaces", ",".join(namespaces), "--json"))

    parts = {ns: figures["parts_ms"] for ns, figures in result["profile"]["namespaces"].items()}
    assert [parts[ns][CALL] > 0 for ns in namespaces] == [False, True, False]  # the cached one: no call once cached
    # The authorization server's own queries (its client's token, the token asked about) are the database's, as
    # the local user lookup is: more of it than oauth2's one query, none of it in the round trip's share.
    assert parts["oauth2-introspect"][DATABASE] > parts["oauth2-introspect-cached"][DATABASE] > 0
    assert parts["oauth2-introspect"][CALL] > parts["oauth2"][DATABASE]


def test_the_profile_puts_back_every_function_it_wrapped():
    def wrapped():
        return [vars(profile.resolve(owner)).get(attribute) for owner, attribute, _ in profile.steps()]

    before = wrapped()
    profile.profile_namespaces(2, ["public", "token-cached"])

    assert wrapped() == before


def test_an_unknown_namespace_is_a_clear_error():
    with pytest.raises(Exception, match="--namespaces: unknown nope"):
        compare_auth("--profile", "--namespaces", "public,nope")


# --- The page


def test_costs_page_says_which_command_to_run_before_anything_is_recorded(client):
    page = client.get("/costs/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "run <code>.venv/bin/python manage.py compare_auth --algorithms</code>" in text
    assert "run <code>.venv/bin/python manage.py compare_auth --profile</code>" in text
    assert client.get("/costs/profile.svg").status_code == 404


def test_costs_page_shows_the_recorded_measurements_with_their_date(client):
    measured = json.loads(
        compare_auth("--algorithms", "--profile", "--requests", "3", "--namespaces", "public,jwt", "--json")
    )

    page = client.get("/costs/").content.decode()

    for name, row in measured["algorithms"]["algorithms"].items():
        assert re.search(rf'id="algorithm-{name}".*?<td>{row["token_bytes"]}</td>', page, re.S), name
    assert 'id="profile-public"' in page
    assert 'id="profile-jwt"' in page
    assert re.search(r"Measured \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", page)
    chart = client.get("/costs/profile.svg")
    assert chart.status_code == 200
    assert chart["Content-Type"] == "image/svg+xml"


def test_the_landing_page_links_the_costs_page(client):
    assert '<a href="/costs/">What it costs: algorithms, where the time goes</a>' in client.get("/").content.decode()
