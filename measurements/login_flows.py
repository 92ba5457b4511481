"""A scheme's own flows for ``manage.py login_costs``: the requests its recipe does not give, one request each.

The recipe gives ``<ns>-login``, ``<ns>-refresh`` and ``<ns>-logout`` where
its kind has one login request (session, token, jwt, cookie). A scheme whose
credential comes by another road (oauth2: an authorization server's pages,
then its token endpoint) lists its own in its ``scheme.py``, as a
``login_flows`` class attribute of LoginFlow subclasses; login_costs measures
each as it measures the recipe's: the SQL queries, rows written and time of
``run``'s one request, and the rows it leaves behind.
"""


class LoginFlow:
    """One request a scheme's client makes to get, renew or end its credential, measured by login_costs.

    Made for one measurement: `client` is Django's test client with CSRF
    checks on (as a browser meets them), `user` a throwaway user whose
    password is `password`, deleted afterwards with the rows that point at it.
    Hooks: ``prepare`` takes the client to where the request starts (not
    measured), ``run`` sends the one request and returns its response,
    ``clean_up`` removes what deleting the user would leave behind.
    """

    name = ""  # the flow is "<ns>-<name>"

    def __init__(self, scheme, client, user, password):
        self.scheme, self.client, self.user, self.password = scheme, client, user, password

    def prepare(self):
        """Get the client to where `run` starts (logged in, holding a code or a token); not measured."""

    def run(self):
        """Send the flow's one request: its response (a Django test response)."""
        raise NotImplementedError

    def clean_up(self):
        """Remove what the flow made that is not tied to its user (a token of another account, a session)."""

    def __repr__(self):
        return f"<{type(self).__name__} {self.scheme.ns}-{self.name}>"
