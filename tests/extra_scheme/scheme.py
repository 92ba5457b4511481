"""A namespace only the tests mount: what an issue's new scheme app adds, in miniature."""

from auth_token.scheme import TokenScheme
from registry import Recipe


class TokenAgainScheme(TokenScheme):
    ns = "token-again"
    title = "DRF tokens again (a namespace only the tests mount)"
    how = "POST username and password to /api/token-again/login/, then send 'Authorization: Token <key>'."
    curl = ['curl -i -H "Authorization: Token $TOKEN" {base}/api/token-again/me/']
    client = Recipe("token", login="token-again:login", keyword="Token", field="token")
    used_at = "Token key at /api/token-again/"


SCHEMES = [TokenAgainScheme()]
