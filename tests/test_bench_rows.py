"""`manage.py bench_rows`: the credential tables filled in bulk for the data-growth run, and left alone by the cleaners."""

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

TABLES = ("authtoken_token", "django_session", "token_blacklist_outstandingtoken")


def rows(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def test_fills_each_table_to_the_size_asked_and_tops_up_later(django_user_model):
    call_command("bench_rows", "--rows", "300")
    assert [rows(t) for t in TABLES] == [300, 300, 300]

    call_command("bench_rows", "--rows", "1000")
    assert [rows(t) for t in TABLES] == [1000, 1000, 1000]
    # One inactive user with an unusable password behind each filler token: nobody can log in as one.
    filler = django_user_model.objects.filter(username__startswith="filler-")
    assert filler.count() == 1000
    assert not filler.filter(is_active=True).exists()
    assert not filler.first().has_usable_password()


def test_the_cleaners_leave_the_filler_alone():
    call_command("bench_rows", "--rows", "200")

    call_command("clearsessions")
    call_command("flushexpiredtokens")

    assert [rows(t) for t in TABLES] == [200, 200, 200]
