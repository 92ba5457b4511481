// The authorization-code flow with PKCE (S256) as a page's script runs it, for the race (race.js) and the browser
// lab (lab/static/lab/lab.js): one copy of the steps, read by both. Plain JavaScript, no library, no build step.
//
// oauth2LogIn(recipe, username, password) walks, as the public client recipe.client_id (GET /api/'s recipe), the
// pages a person sees in the browser: the authorization server's login page (if its session has nobody logged in
// yet), its consent page, the redirect back with ?code=, then swaps the code and the verifier at the token
// endpoint. It resolves to the token endpoint's answer ({access_token, refresh_token, ...}); only that answer
// holds a token, and the API gets only the access token. A refusal is thrown with what the server said.
"use strict";

const oauth2LogIn = (() => {
  // The page's own fetch, kept when this file loads (before any other script could wrap it: the lab's injected one).
  const pageFetch = window.fetch.bind(window);

  // PKCE's random strings and challenge (RFC 7636).
  function base64url(bytes) {
    return btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function randomString() {
    return base64url(crypto.getRandomValues(new Uint8Array(32)));
  }

  // An HTML page's first form, with the URL the page came from (a form without an action posts back there).
  async function pageOf(response, what) {
    const html = await response.text();
    const form = new DOMParser().parseFromString(html, "text/html").querySelector("form");
    if (!response.ok || !form) throw new Error(`${what}: HTTP ${response.status}, no form at ${response.url}`);
    return { form, url: response.url };
  }

  // Submit a page's form as the browser would (its hidden fields, CSRF token included), with `fields` filled in.
  function submit(page, fields) {
    const body = new URLSearchParams();
    for (const input of page.form.querySelectorAll("input[type=hidden]")) body.append(input.name, input.value);
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    const action = page.form.getAttribute("action") ? new URL(page.form.getAttribute("action"), page.url) : page.url;
    return pageFetch(action, { method: "POST", body, credentials: "same-origin" });
  }

  // The code from the redirect back: only with the state this login sent (RFC 6749 §10.12) and the issuer the
  // recipe names (RFC 9207's iss: a code from another authorization server would go to the wrong token endpoint).
  function authorizationResponse(url, recipe, state) {
    const params = url.searchParams;
    if (params.get("state") !== state) throw new Error(`${recipe.kind}: the redirect back has another state`);
    if (recipe.issuer && params.get("iss") !== recipe.issuer) {
      throw new Error(`${recipe.kind}: the redirect back names issuer ${params.get("iss")}, not ${recipe.issuer}`);
    }
    if (!params.has("code")) throw new Error(`${recipe.kind}: refused, ${params.get("error") || "no code"}`);
    return params.get("code");
  }

  return async function logIn(recipe, username, password) {
    const verifier = randomString(), state = randomString();
    const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
    const query = new URLSearchParams({
      response_type: "code", client_id: recipe.client_id, redirect_uri: recipe.redirect_uri, scope: "read write",
      state, code_challenge: challenge, code_challenge_method: "S256",
    });
    // fetch follows each redirect, as the browser would: to the login page, back to authorize/, to the redirect URI.
    let page = await pageOf(await pageFetch(`${recipe.authorize}?${query}`, { credentials: "same-origin" }), "authorize");
    if (page.form.querySelector("input[type=password]")) {
      page = await pageOf(await submit(page, { username, password }), `${recipe.kind} login page`);
    }
    if (!page.form.querySelector("[name=allow]")) throw new Error(`${recipe.kind}: no consent page at ${page.url}`);
    const back = await submit(page, { allow: "Authorize" }); // the consent page's "Authorize" button
    const code = authorizationResponse(new URL(back.url), recipe, state);
    const fields = {
      grant_type: "authorization_code", code, redirect_uri: recipe.redirect_uri, client_id: recipe.client_id,
      code_verifier: verifier,
    };
    const response = await pageFetch(recipe.token, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
      body: new URLSearchParams(fields),
      credentials: "omit", // the token endpoint takes the code and the verifier, not the session
    });
    const tokens = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(`${recipe.kind} token exchange: HTTP ${response.status} ${tokens.error_description || tokens.error || JSON.stringify(tokens)}`);
    }
    return tokens;
  };
})();
