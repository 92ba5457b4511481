"""HTTP Basic has no login and no logout: the client sends the password every time.

A browser asks for it once, after the 401 and its `WWW-Authenticate: Basic
realm="api"` challenge, and then keeps sending it until the browser is closed.
"""
