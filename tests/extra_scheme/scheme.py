"""A namespace only the tests mount: what an issue's new scheme app adds, in miniature.

It brings its own "library" too (``tests.extra_scheme.library``): its SQL
step, its credential table, its expected queries and its reading, all named
here and nowhere else.
"""

from django.urls import reverse
from rest_framework.authtoken.models import Token

from auth_token.scheme import TokenScheme
from measurements.login_flows import LoginFlow
from registry import Recipe, Table


class FirstVisit(LoginFlow):
    """A flow of the scheme's own for login_costs: the first request with a fresh key, which logs a visit."""

    name = "first-visit"

    def prepare(self):
        key = Token.objects.create(user=self.user).key
        self.client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"

    def run(self):
        return self.client.get(reverse("token-again:me"))


class TokenAgainScheme(TokenScheme):
    ns = "token-again"
    title = "DRF tokens again (a namespace only the tests mount)"
    how = "POST username and password to /api/token-again/login/, then send 'Authorization: Token <key>'."
    curl = ['curl -i -H "Authorization: Token $TOKEN" {base}/api/token-again/me/']
    reading = "DRF's token, looked up by a library of its own: the token row, then a visit logged in its table."
    recipe = Recipe("token", login="token-again:login", keyword="Token", field="token")
    me_queries = 2  # the token row joined to its user, then the visit
    sql_steps = [("tests.extra_scheme.library.", "visit log")]
    tables = [Table("extra_scheme.Visit", "nothing: a visit is kept until its user is deleted")]
    login_flows = [FirstVisit]


SCHEMES = [TokenAgainScheme()]
