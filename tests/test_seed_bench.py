"""`manage.py seed_bench`: the benchmark's accounts, one password hash for all, safe to run again."""

import json

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory

import registry
from api.models import Note
from measurements.management.commands.seed_bench import PASSWORD, username

from .conftest import PASSWORDS, follow

pytestmark = pytest.mark.django_db


def test_seeds_active_accounts_that_log_in_with_their_notes(django_user_model):
    call_command("seed_bench", "--users", "3")

    accounts = django_user_model.objects.filter(username__startswith="bench")  # oauth2's machine client has its own
    assert sorted(accounts.values_list("username", flat=True)) == [username(i) for i in range(3)]
    assert authenticate(username=username(2), password=PASSWORD) is not None
    assert Note.objects.filter(owner__username=username(0)).count() == 4


def test_running_it_again_resets_rather_than_duplicates(django_user_model, make_user):
    make_user("alice")
    call_command("seed_bench", "--users", "2")
    account = django_user_model.objects.get(username=username(1))
    account.is_active = False
    account.set_password("something else")
    account.save()
    Note.objects.create(owner=account, title="left over", body="")

    call_command("seed_bench", "--users", "2")

    assert django_user_model.objects.filter(username__startswith="bench").count() == 2
    assert authenticate(username=username(1), password=PASSWORD) is not None
    assert Note.objects.filter(owner=account).count() == 4
    assert authenticate(username="alice", password=PASSWORDS["alice"]) is not None  # other users untouched


def test_json_is_one_line_naming_the_accounts_and_their_password(capsys):
    call_command("seed_bench", "--users", "3", "--json")
    out = capsys.readouterr().out

    assert out.count("\n") == 1  # one line, for a client to read
    assert json.loads(out) == {"password": "bench-demo-pass", "usernames": ["bench0000", "bench0001", "bench0002"]}
    assert authenticate(username="bench0002", password="bench-demo-pass") is not None


@pytest.mark.parametrize("ns", [s.ns for s in registry.protected()])
def test_a_bench_account_logs_in_by_its_recipe_with_nothing_else_seeded(ns):
    # What the benchmark's users do first, on a database seed_bench alone has seeded: oauth2's needs its clients
    # registered (its Locust users never logged in while seed_bench left them out).
    call_command("seed_bench", "--users", "1")
    recipe = registry.scheme(ns).recipe.as_json(RequestFactory(HTTP_HOST="127.0.0.1").get("/api/"))

    client, _ = follow(recipe, username(0), PASSWORD)

    me = client.get(f"/api/{ns}/me/", secure=False)
    assert me.status_code == 200, me.content
    assert me.json() == {"username": username(0), "scheme": ns}
