"""What the lab runs, in words: the attacks, the storages, and the table they ground.

The attacks themselves are JavaScript (static/lab/): lab.js on the victim's
page, site.js on the other sites' pages, injected.js standing for an injected
script. browser_lab runs the same buttons in headless Chromium.
"""

# Where each recipe kind's credential lives in a browser, as its clients commonly keep it.
STORAGES = {
    "basic": ["basic-cache"],  # the browser's cached credentials, after its own prompt
    "session": ["cookie"],
    "cookie": ["cookie"],  # jwt-cookie: HttpOnly cookies set by its login
    "token": ["localStorage", "memory"],
    "jwt": ["localStorage", "memory"],
    # A browser client of an authorization server (a public client, PKCE): its access token, where single-page apps
    # keep it; the authorization server's own session cookie stays the browser's, and the API does not take it.
    "oauth2": ["localStorage", "memory"],
}
STORAGE_WORDS = {
    "basic-cache": "the browser's Basic cache",
    "cookie": "the browser's cookies",
    "localStorage": "localStorage",
    "memory": "a JavaScript variable",
}

ATTACKS = [
    {
        "name": "csrf-form",
        "title": "Cross-site request forgery with a form",
        "what": "While you are logged in, a page on evil.localhost submits a form (title, body) to "
        "POST /api/<ns>/notes/ in a hidden frame. Was a note created in your account?",
    },
    {
        "name": "csrf-fetch",
        "title": "Cross-site request forgery with fetch",
        "what": 'The same page sends fetch(..., {credentials: "include", mode: "no-cors"}) with a form body: '
        "a simple request, so no CORS preflight stops it. It cannot read the answer; was a note created?",
    },
    {
        "name": "xss-steal",
        "title": "Theft by an injected script",
        "what": "A fixed script standing for an injected one runs on the API's own page, reads document.cookie, "
        "localStorage and sessionStorage and sends them to evil.localhost. Was the credential among them?",
    },
    {
        "name": "xss-replay",
        "title": "Replay of what was stolen",
        "what": "The attacker uses what it received from a client with none of your cookies (its own server "
        "live; a separate browser context in browser_lab). Does GET me/ answer as you?",
    },
    {
        "name": "xss-misuse",
        "title": "Misuse without theft",
        "what": "The same script makes requests as you from your page: with the page's cookies, with the token "
        "it can read, or by wrapping fetch until the page sends its in-memory token. Was a note created?",
    },
    {
        "name": "cross-origin-read",
        "title": "Cross-origin reads",
        "what": 'A page on evil.localhost reads GET /api/<ns>/me/ with credentials: "include". The detail says '
        "what the same-site front end (127.0.0.1:PORT+1, allowed by CORS with credentials) read.",
    },
]
ATTACK_NAMES = [attack["name"] for attack in ATTACKS]

# The sources each row of "Where a browser should keep the credential" rests on.
ASVS_COOKIES = ("OWASP ASVS 5.0 V3.3 (cookie setup)", "https://github.com/OWASP/ASVS/tree/master/5.0")
ASVS_SESSIONS = ("OWASP ASVS 5.0 V7 (session management)", "https://github.com/OWASP/ASVS/tree/master/5.0")
HTML5 = (
    "OWASP HTML5 Security Cheat Sheet (local storage)",
    "https://cheatsheetseries.owasp.org/cheatsheets/HTML5_Security_Cheat_Sheet.html#local-storage",
)
JWT_SHEET = (
    "OWASP JSON Web Token Cheat Sheet (token storage on client side)",
    "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html",
)
SAMESITE = (
    "RFC 6265bis, SameSite",
    "https://datatracker.ietf.org/doc/html/draft-ietf-httpbis-rfc6265bis#name-the-samesite-attribute",
)
BCP = (
    "IETF OAuth 2.0 for Browser-Based Applications (malicious JavaScript)",
    "https://datatracker.ietf.org/doc/html/draft-ietf-oauth-browser-based-apps",
)


SUCCEEDED, FAILED = "attacker succeeded", "attacker failed"


def where_to_keep():
    """The three rows: for whom, what to choose, what it still leaves open; each citing the lab cells
    (namespace, storage, attack, the outcome it rests on) and claims it stands on, and the documents.

    tests/test_lab.py checks every cited outcome against the measured cell.
    """
    return [
        {
            "client": "A browser front end on the same site (same host, another port or path)",
            "choose": "session (or jwt-cookie): the credential in an HttpOnly, SameSite=Lax cookie, Django's CSRF "
            "token on unsafe methods, and CORS with credentials for the front end's exact origin if it is another "
            "origin (plus CSRF_TRUSTED_ORIGINS for its unsafe requests).",
            "open": "An injected script cannot read the cookie, but it acts as the user from the page all the same: "
            "HttpOnly stops theft, not misuse. A token in localStorage instead is read and replayed from anywhere "
            "until it expires or is revoked (the account-events table says how long).",
            "cells": [
                ("session", "cookie", "csrf-form", FAILED),
                ("session", "cookie", "csrf-fetch", FAILED),
                ("session", "cookie", "xss-steal", FAILED),
                ("session", "cookie", "xss-misuse", SUCCEEDED),
                ("session", "cookie", "cross-origin-read", FAILED),
                ("jwt", "localStorage", "xss-steal", SUCCEEDED),
                ("jwt", "localStorage", "xss-replay", SUCCEEDED),
            ],
            "claims": ["a"],
            "sources": [ASVS_COOKIES, ASVS_SESSIONS, SAMESITE, HTML5],
        },
        {
            "client": "A browser front end on another site",
            "choose": "Not cookies: none reached the API from another site here, SameSite=None; Secure included "
            "(claim a; the browser's third-party cookie rules decide, not the server). A token held in memory and "
            "sent as Authorization, or better a backend on the front end's own site that keeps the tokens "
            "(the browser-based-apps BCP's backend for frontend).",
            "open": "In memory the token is out of reach of a script that reads storage, but a script that wraps "
            "fetch uses it as it passes (xss-misuse); in localStorage it is simply stolen. The same holds for a "
            "token an OAuth 2.0 authorization server issued by the code flow with PKCE (oauth2): the flow keeps "
            "the password out of the client, not the token out of the script's reach. The forged requests "
            "fail for every token, as they do for Basic's cached credentials (which Chromium kept to same-site "
            "requests).",
            "cells": [
                ("jwt", "memory", "xss-steal", FAILED),
                ("jwt", "memory", "xss-misuse", SUCCEEDED),
                ("jwt", "memory", "csrf-fetch", FAILED),
                ("oauth2", "memory", "xss-misuse", SUCCEEDED),
                ("oauth2", "localStorage", "xss-replay", SUCCEEDED),
                ("token", "localStorage", "xss-steal", SUCCEEDED),
                ("basic", "basic-cache", "csrf-form", FAILED),
                ("basic", "basic-cache", "xss-misuse", SUCCEEDED),
            ],
            "claims": ["a"],
            "sources": [SAMESITE, BCP, JWT_SHEET, HTML5],
        },
        {
            "client": "A mobile or desktop app",
            "choose": "Any scheme works from an HTTP library, session cookies included: a cookie jar and the CSRF "
            "token echoed in a header (claim b). Tokens (jwt, token) in the platform's secure storage are the usual "
            "choice; without a browser there is no CSRF and no cross-origin rule to lean on or fight.",
            "open": "Whatever the app stores is as good as the password until it expires or is revoked (the "
            "account-events table). Over HTTPS, Django's CSRF check also wants a Referer from a client "
            "that sends no Origin.",
            "cells": [],
            "claims": ["b"],
            "sources": [ASVS_SESSIONS, JWT_SHEET],
        },
    ]
