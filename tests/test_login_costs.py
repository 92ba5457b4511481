"""`manage.py login_costs`: what each login, refresh and logout costs, and that its figures are the exact query counts."""

import json

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from oauth2_provider.models import AccessToken, RefreshToken

from measurements.management.commands.login_costs import flows, measure, statements, tables

# No test transaction around the requests: inside one, every atomic block would add a SAVEPOINT and a RELEASE,
# queries the server does not make.
pytestmark = pytest.mark.django_db(transaction=True)

# The exact SQL queries of each flow's one request, middleware included, less BEGIN and COMMIT.
QUERIES = {
    "session-login": 5,  # the user; is the new key free; insert the session; last_login; the session saved again
    "token-login": 3,  # the user; its token; a new token
    "jwt-login": 2,  # the user; the refresh token's outstanding row
    "jwt-refresh": 5,  # blacklisted?; the user; the old token found, its blacklist row inserted; the new one recorded
    "jwt-rsa-login": 2,  # as jwt: its own keys, the same tables
    "jwt-rsa-refresh": 5,
    "knox-login": 3,  # the user; the new token's digest row; the user's tokens (knox counts them against its limit)
    "jwt-cookie-login": 2,  # as jwt: the tokens go to cookies, not the body, for the same queries
    "jwt-cookie-refresh": 5,  # as jwt: its refresh serializer is jwt's
    "session-logout": 4,  # the session; the user; the session again; delete it
    "token-logout": 2,  # the token (with its user); delete it
    "jwt-logout": 5,  # blacklisted?; the user; the outstanding token; blacklist it
    "jwt-rsa-logout": 5,
    "knox-logout": 3,  # the token and its user; the user's tokens (expired ones deleted); delete this one
    "jwt-cookie-logout": 5,
    # oauth2's own (auth_oauth2/login_flows.py). The exchange: the client; the code's row five times (DOT's
    # validator once per question oauthlib asks: valid?, its PKCE challenge, its method, its redirect URI, its
    # scopes) and the user; insert the pair, delete the code, read the access token again.
    "oauth2-code-exchange": 11,
    "oauth2-client-credentials": 3,  # the client (its secret: one PBKDF2 check); insert the token; read it again
    # The client; the refresh token (twice, locked); the user; the client again; the old access token found,
    # unlinked and deleted; the old refresh token revoked; the new pair inserted; the new access token read.
    "oauth2-refresh": 14,
    "oauth2-revoke": 7,  # the client; the refresh token (twice); its access token unlinked and deleted; it revoked
}
ROWS_KEPT = {
    "session-login": {"django_session": 1},
    "token-login": {"authtoken_token": 1},
    "jwt-login": {"token_blacklist_outstandingtoken": 1},
    "jwt-refresh": {"token_blacklist_outstandingtoken": 1, "token_blacklist_blacklistedtoken": 1},
    "jwt-rsa-login": {"token_blacklist_outstandingtoken": 1},
    "jwt-rsa-refresh": {"token_blacklist_outstandingtoken": 1, "token_blacklist_blacklistedtoken": 1},
    "knox-login": {"knox_authtoken": 1},
    "jwt-cookie-login": {"token_blacklist_outstandingtoken": 1},
    "jwt-cookie-refresh": {"token_blacklist_outstandingtoken": 1, "token_blacklist_blacklistedtoken": 1},
    "session-logout": {"django_session": -1},
    "token-logout": {"authtoken_token": -1},
    "jwt-logout": {"token_blacklist_blacklistedtoken": 1},
    "jwt-rsa-logout": {"token_blacklist_blacklistedtoken": 1},
    "knox-logout": {"knox_authtoken": -1},
    "jwt-cookie-logout": {"token_blacklist_blacklistedtoken": 1},
    "oauth2-code-exchange": {
        "oauth2_provider_grant": -1,
        "oauth2_provider_accesstoken": 1,
        "oauth2_provider_refreshtoken": 1,
    },
    "oauth2-client-credentials": {"oauth2_provider_accesstoken": 1},  # no refresh token for a client's own token
    "oauth2-refresh": {"oauth2_provider_refreshtoken": 1},  # the old access token deleted, the old refresh token kept
    "oauth2-revoke": {"oauth2_provider_accesstoken": -1},  # the refresh token kept, revoked, until cleartokens
}


def test_the_flows_come_from_the_schemes_recipes():
    assert [name for name, ns, recipe in flows()] == list(QUERIES)


@pytest.mark.parametrize(("name", "ns", "make"), flows(), ids=[name for name, *_ in flows()])
def test_each_flow_makes_exactly_its_queries(name, ns, make, django_assert_max_num_queries):
    flow = make()
    flow.before()

    # pytest-django's capture counts BEGIN and COMMIT too, on SQLite only: at most 2 per write here.
    with django_assert_max_num_queries(QUERIES[name] * 3) as captured:
        status = flow.run()

    assert status in (200, 204, 205)
    assert len(statements(captured.captured_queries)) == QUERIES[name]
    flow.delete()


def test_the_commands_figures_are_those_counts(capsys):
    call_command("login_costs", "--json")
    printed = json.loads(capsys.readouterr().out)

    assert {name: f["queries"] for name, f in printed["flows"].items()} == QUERIES
    assert {name: f["rows_kept"] for name, f in printed["flows"].items()} == ROWS_KEPT
    for name, f in printed["flows"].items():
        assert isinstance(f["ms"], float), name
        assert f["ms"] > 0, name
        assert f["rows_written"] >= abs(sum(f["rows_kept"].values())), name
    assert set(printed["tables"]) == set(tables())


def test_it_leaves_no_user_and_no_row_behind(django_user_model):
    call_command("login_costs", "--json")

    assert not django_user_model.objects.filter(username__startswith="login-costs-").exists()


OAUTH2_FLOWS = [(name, make) for name, ns, make in flows() if ns == "oauth2"]


@pytest.mark.parametrize(("name", "make"), OAUTH2_FLOWS, ids=[name for name, _ in OAUTH2_FLOWS])
def test_oauth2s_flows_leave_no_token_of_the_service_account_and_no_session(name, make):
    """The client-credentials token is the service account's (deleting the throwaway user leaves it), and the
    authorization server's login page made a session: each flow's clean-up takes them away."""
    figures = measure(make)

    assert figures["queries"] == QUERIES[name]
    assert not AccessToken.objects.exists()
    assert not RefreshToken.objects.exists()
    assert not Session.objects.exists()
