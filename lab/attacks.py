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


def where_to_keep():
    """The three rows: for whom, what to choose, what it still leaves open; each citing lab cells
    (namespace, storage, attack) or claims ("a", "b") and the documents it rests on."""
    return [
        {
            "client": "A browser front end on the same site (same host, another port or path)",
            "choose": "session (or jwt-cookie): the credential in an HttpOnly, SameSite=Lax cookie, CSRF token "
            "on unsafe methods; CORS with credentials for the front end's exact origin if it is another origin.",
            "open": "An injected script cannot read the cookie but can still act as the user from the page "
            "(xss-misuse): HttpOnly stops theft, not misuse. A token in localStorage is readable and "
            "replayable from anywhere until it expires or is revoked.",
            "cells": [
                ("session", "cookie", "xss-steal"),
                ("session", "cookie", "xss-misuse"),
                ("session", "cookie", "csrf-form"),
                ("session", "cookie", "csrf-fetch"),
                ("jwt", "localStorage", "xss-steal"),
                ("jwt", "localStorage", "xss-replay"),
            ],
            "claims": ["a"],
            "sources": [ASVS_COOKIES, ASVS_SESSIONS, SAMESITE, HTML5],
        },
        {
            "client": "A browser front end on another site",
            "choose": "Cookies go with its requests only as SameSite=None; Secure (claim a), which gives up "
            "SameSite's CSRF defence; a token in memory (not localStorage) sent as Authorization, or better a "
            "backend on the front end's own site holding the tokens (the BCP's backend-for-frontend).",
            "open": "In memory the token is out of reach of storage-reading scripts (xss-steal fails) but a "
            "script that wraps fetch still uses it (xss-misuse); Basic's cached credentials ride along with "
            "every cross-site request (csrf-form, csrf-fetch).",
            "cells": [
                ("jwt", "memory", "xss-steal"),
                ("jwt", "memory", "xss-misuse"),
                ("basic", "basic-cache", "csrf-form"),
                ("basic", "basic-cache", "csrf-fetch"),
            ],
            "claims": ["a"],
            "sources": [SAMESITE, BCP, JWT_SHEET],
        },
        {
            "client": "A mobile or desktop app",
            "choose": "Any scheme works from an HTTP library: session cookies too, with a cookie jar and the "
            "CSRF token echoed (claim b). Tokens (jwt, knox) in the platform's secure storage are the usual "
            "choice; no browser means no CSRF and no cross-origin rules.",
            "open": "Whatever the app stores is as good as the password until it expires or is revoked: see the "
            "account-events table for how long each lasts.",
            "cells": [],
            "claims": ["b"],
            "sources": [ASVS_SESSIONS, JWT_SHEET],
        },
    ]
