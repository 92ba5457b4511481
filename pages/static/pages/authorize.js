/*
 * The authorization panel of the token, knox, JWT and OAuth 2.0 namespaces (pages/templates/pages/_authorize.html).
 *
 * A browser cannot add "Authorization: Token <key>" or "Bearer <access>" to a
 * link it follows, which is why DRF's browsable API cannot browse these
 * schemes on its own. This script does what a single-page app would:
 *
 * - it keeps the credential in this tab's sessionStorage, never in a cookie,
 *   so the server still sees nothing but the header;
 * - it takes over the links and forms that stay in this namespace: it fetches
 *   them with the header and writes the returned page into this document, the
 *   way DRF's own ajax-form.js shows the answer to a PUT or DELETE;
 * - it adds the header to the requests ajax-form.js makes (jQuery's ajaxSend);
 * - it keeps the address bar and the back button right (history.pushState,
 *   popstate);
 * - for JWT, it renews an expired access token with the refresh token
 *   (POST refresh/) before a request, or after a 401 token_not_valid, once;
 * - for OAuth 2.0 (data-flow="oauth2"), "Log in" runs the authorization-code
 *   flow with PKCE (RFC 7636) as a public client: it sends the browser to the
 *   authorization server (its login and consent pages) with the S256 challenge
 *   of a fresh random verifier, and when the browser comes back to the
 *   redirect URI with ?code=, swaps the code and the verifier for tokens
 *   (POST token/); it renews them with the refresh token before they expire.
 *
 * Its settings are the data-* attributes of its own <script> tag.
 * Plain ES5 with `var` inside a function: this file runs again in every page
 * written into the same window, where a top-level `let` would be redeclared.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var config = script.dataset; // namespace, store, keyword, login, refresh; oauth2: flow, clientId, redirectUri, issuer
  var oauth2 = config.flow === "oauth2";
  var prefix = "/api/" + config.namespace + "/";
  var storeKey = "drf-demo:" + config.store;
  var panel = document.getElementById("authorize");

  // ---- the credential, in this tab's sessionStorage

  function load() {
    try {
      return JSON.parse(sessionStorage.getItem(storeKey));
    } catch (error) {
      return null;
    }
  }
  function save(credential) { sessionStorage.setItem(storeKey, JSON.stringify(credential)); }
  function forget() { sessionStorage.removeItem(storeKey); }
  function secret(credential) { return credential.access || credential.token; }

  function claims(jwt) {
    try {
      return JSON.parse(atob(jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    } catch (error) {
      return {};
    }
  }

  // When the credential stops working, in ms since the epoch: a JWT says so in its claims,
  // knox in its login answer ({"token", "expiry"}); a DRF key never expires (null).
  function expiresAt(credential) {
    if (credential.access && !oauth2) {
      var exp = claims(credential.access).exp;
      return exp ? exp * 1000 : null;
    }
    return credential.expiry ? Date.parse(credential.expiry) : null;
  }

  function expiresSoon(credential) {
    var expiry = expiresAt(credential);
    return Boolean(credential.refresh) && Boolean(expiry) && expiry < Date.now() + 5000;
  }

  // DRF's error bodies: {"detail": "..."} or {"field": ["...", ...]}; one sentence for the panel.
  function errorText(data, fallback) {
    if (data.detail) return data.detail;
    var messages = [];
    Object.keys(data).forEach(function (field) { messages = messages.concat(data[field]); });
    return messages.join(" ") || fallback;
  }

  function postJSON(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "omit",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(errorText(data, response.status + " " + response.statusText));
        return data;
      });
    });
  }

  // OAuth 2.0's token endpoint takes a form (RFC 6749 §4.1.3) and answers {"access_token", "refresh_token", "expires_in"}.
  function postForm(url, fields) {
    return fetch(url, {
      method: "POST",
      credentials: "omit",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
      body: new URLSearchParams(fields).toString()
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) throw new Error(data.error_description || data.error || response.status + " " + response.statusText);
        return data;
      });
    });
  }

  function oauth2Credential(tokens, username) {
    return {username: username, access: tokens.access_token, refresh: tokens.refresh_token,
            expiry: new Date(Date.now() + tokens.expires_in * 1000).toISOString()};
  }

  // JWT: swap the refresh token for a new access token (and, since refresh tokens rotate, a new refresh token).
  // A refused refresh token is no use any more: forget the credential, so that the panel offers to log in.
  function refresh(credential) {
    if (oauth2) {
      var fields = {grant_type: "refresh_token", refresh_token: credential.refresh, client_id: config.clientId};
      return postForm(config.refresh, fields).then(function (tokens) {
        var renewed = oauth2Credential(tokens, credential.username);
        save(renewed);
        return renewed;
      }, function (error) {
        forget();
        throw error;
      });
    }
    return postJSON(config.refresh, {refresh: credential.refresh}).then(function (tokens) {
      var renewed = {username: credential.username, access: tokens.access, refresh: tokens.refresh || credential.refresh};
      save(renewed);
      return renewed;
    }, function (error) {
      forget();
      throw error;
    });
  }

  function current() {
    var credential = load();
    if (credential && credential.refresh && expiresSoon(credential)) {
      return refresh(credential).catch(function () { return credential; });
    }
    return Promise.resolve(credential);
  }

  // ---- requests with the header

  function send(url, init, credential) {
    var headers = new Headers(init.headers || {});
    headers.set("Accept", "text/html;q=1.0, */*");
    if (credential) headers.set("Authorization", config.keyword + " " + secret(credential));
    // credentials "omit": no cookie goes with it, the header is the whole story.
    return fetch(url, {method: init.method, body: init.body, headers: headers, credentials: "omit"});
  }

  function authorizedFetch(url, init) {
    return current().then(function (credential) {
      return send(url, init, credential).then(function (response) {
        if (response.status !== 401 || !credential || !credential.refresh) return response;
        return response.clone().text().then(function (text) {
          if (text.indexOf("token_not_valid") < 0) return response;
          return refresh(credential).then(
            function (renewed) { return send(url, init, renewed); },
            function () { return response; }
          );
        });
      });
    });
  }

  function escapeHTML(text) {
    return text.replace(/[&<>"]/g, function (c) { return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c]; });
  }

  // A JSON answer (?format=json) shown as text, in a page that still carries this script.
  function plainPage(text, response) {
    return "<!doctype html><title>" + escapeHTML(response.url) + "</title><pre>" + escapeHTML(text) + "</pre>" +
      script.outerHTML;
  }

  // Fetch `url` with the header, and make its answer this page.
  function go(url, init, push) {
    return authorizedFetch(url, init).then(function (response) {
      return response.text().then(function (text) {
        var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0 ? text : plainPage(text, response);
        var address = response.url || url;
        if (push) history.pushState({authorized: true}, "", address);
        else history.replaceState({authorized: true}, "", address);
        window.demoAuthorizedPage = true; // the next run of this script: don't fetch it again
        window.demoLastResponse = {header: function (name) { return response.headers.get(name); }};
        document.open();
        document.write(html);
        document.close();
      });
    }).catch(function (error) { showError("Request failed: " + error.message); });
  }

  function inNamespace(url) {
    return url.origin === location.origin && url.pathname.indexOf(prefix) === 0;
  }

  // ---- the panel

  function showError(message) {
    var box = document.getElementById("authorize-error");
    if (!box) return;
    box.textContent = message;
    box.hidden = !message;
  }

  function describe(credential) {
    var value = secret(credential);
    var text = "Active" + (credential.username ? " for " + credential.username : "") + ": every request sends ";
    var code = "Authorization: " + config.keyword + " " + value.slice(0, 12) + "…";
    var expiry = expiresAt(credential);
    var tail = expiry ? " (expires " + new Date(expiry).toLocaleTimeString() +
      (credential.refresh ? "; renewed with the refresh token when it does)" : ")") : "";
    var active = document.getElementById("authorize-active");
    active.textContent = text;
    var codeElement = document.createElement("code");
    codeElement.textContent = code;
    active.appendChild(codeElement);
    active.appendChild(document.createTextNode(tail));
  }

  function showPanel() {
    var credential = load();
    panel.querySelector('[data-when="signed-out"]').hidden = Boolean(credential);
    panel.querySelector('[data-when="signed-in"]').hidden = !credential;
    if (credential) describe(credential);
  }

  function reshow() { return go(location.href, {method: "GET"}, false); }

  // ---- OAuth 2.0: the authorization-code flow with PKCE, as a public client

  var pendingKey = storeKey + ":pending"; // the verifier and state, kept in this tab while the browser is away

  function base64url(bytes) {
    var text = "";
    new Uint8Array(bytes).forEach(function (b) { text += String.fromCharCode(b); });
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function randomString() { return base64url(crypto.getRandomValues(new Uint8Array(32))); }
  function redirectURI() { return location.origin + config.redirectUri; }

  // To the authorization server, with the S256 challenge of a verifier only this tab knows (RFC 7636 §4).
  function startFlow() {
    var verifier = randomString();
    var state = randomString();
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (digest) {
      sessionStorage.setItem(pendingKey, JSON.stringify({verifier: verifier, state: state, back: location.pathname}));
      var query = new URLSearchParams({
        response_type: "code", client_id: config.clientId, redirect_uri: redirectURI(), scope: "read write",
        state: state, code_challenge: base64url(digest), code_challenge_method: "S256"
      });
      location.assign(config.login + "?" + query.toString());
    });
  }

  // Back at the redirect URI: ?code=...&state=... (or ?error=...). Swap the code and the verifier for tokens.
  function finishFlow() {
    var params = new URLSearchParams(location.search);
    var pending = JSON.parse(sessionStorage.getItem(pendingKey) || "null");
    if (!pending || !(params.has("code") || params.has("error"))) return false;
    sessionStorage.removeItem(pendingKey);
    history.replaceState(null, "", pending.back || location.pathname); // the code leaves the address bar
    if (params.get("state") !== pending.state) {
      showError("Login refused: the state that came back is not the one this tab sent.");
      return true;
    }
    // RFC 9207: the answer names the authorization server it came from; a code from any other is not sent on.
    if (config.issuer && params.get("iss") !== config.issuer) {
      showError("Login refused: the answer came from issuer " + params.get("iss") + ", not " + config.issuer + ".");
      return true;
    }
    if (params.has("error")) {
      showError("Login refused: " + (params.get("error_description") || params.get("error")));
      return true;
    }
    var fields = {grant_type: "authorization_code", code: params.get("code"), redirect_uri: redirectURI(),
                  client_id: config.clientId, code_verifier: pending.verifier};
    postForm(config.refresh, fields).then(function (tokens) {
      var credential = oauth2Credential(tokens, "");
      save(credential);
      // Who the token is for: the token answer doesn't say, me/ does.
      return send(prefix + "me/?format=json", {method: "GET"}, credential).then(function (response) {
        return response.json().then(function (me) { save(oauth2Credential(tokens, me.username)); });
      }).catch(function () {});
    }).then(reshow, function (error) { showError("Login refused: " + error.message); });
    return true;
  }

  function wirePanel() {
    var oauth2Login = document.getElementById("authorize-oauth2");
    if (oauth2Login) {
      oauth2Login.addEventListener("submit", function (event) {
        event.preventDefault();
        showError("");
        startFlow().catch(function (error) { showError("Login failed: " + error.message); });
      });
    }
    var passwordLogin = document.getElementById("authorize-login");
    if (passwordLogin) passwordLogin.addEventListener("submit", function (event) {
      event.preventDefault();
      var form = event.target;
      var username = form.elements.username.value;
      showError("");
      postJSON(config.login, {username: username, password: form.elements.password.value}).then(function (data) {
        save(data.token ? {username: username, token: data.token, expiry: data.expiry} : {username: username, access: data.access, refresh: data.refresh});
        return reshow();
      }).catch(function (error) { showError("Login refused: " + error.message); });
    });

    document.getElementById("authorize-paste").addEventListener("submit", function (event) {
      event.preventDefault();
      // Accept the value with or without its keyword ("Token abc" or "abc").
      var value = event.target.elements.credential.value.trim().replace(/^(Token|Bearer|JWT)\s+/i, "");
      var credential = config.refresh ? {access: value, username: oauth2 ? "" : claims(value).username} : {token: value};
      save(credential);
      reshow();
    });

    document.getElementById("authorize-clear").addEventListener("click", function () {
      forget();
      location.reload(); // a plain request again, as the browser makes it: no header
    });
    showPanel();
  }

  // ---- take over the links and forms of this namespace

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey ||
        event.shiftKey || event.altKey || link.target || link.hasAttribute("download") || !load()) return;
    var url = new URL(link.href, location.href);
    var samePage = url.pathname === location.pathname && url.search === location.search;
    if (!inNamespace(url) || (samePage && url.hash)) return;
    event.preventDefault();
    go(url.href, {method: "GET"}, true);
  });

  // Capture phase: renew an expired JWT before DRF's ajax-form.js sends anything, then submit again (once).
  var resubmitting = false;
  document.addEventListener("submit", function (event) {
    var credential = load();
    if (resubmitting) {
      resubmitting = false;
      return;
    }
    if (!credential || !credential.refresh || !expiresSoon(credential) || event.target.hasAttribute("data-demo-panel")) return;
    event.preventDefault();
    event.stopPropagation();
    var form = event.target;
    var submitter = event.submitter;
    refresh(credential).catch(function () {}).then(function () {
      resubmitting = true; // requestSubmit dispatches the next submit event at once
      form.requestSubmit(submitter);
    });
  }, true);

  // Bubble phase: ajax-form.js has taken the forms it sends (PUT, PATCH, DELETE, raw POST); send the rest.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("data-demo-panel") || !load()) return;
    var url = new URL(form.getAttribute("action") || location.href, location.href);
    if (!inNamespace(url)) return;
    event.preventDefault();
    var method = (form.getAttribute("method") || "GET").toUpperCase();
    var data = new FormData(form, event.submitter);
    if (method === "GET") {
      url.search = new URLSearchParams(data).toString();
      go(url.href, {method: "GET"}, true);
    } else {
      go(url.href, {method: method, body: form.enctype === "multipart/form-data" ? data : new URLSearchParams(data)}, true);
    }
  });

  if (window.jQuery) {
    window.jQuery(document).on("ajaxSend", function (event, xhr, settings) {
      var credential = load();
      if (credential && inNamespace(new URL(settings.url, location.href))) {
        xhr.setRequestHeader("Authorization", config.keyword + " " + secret(credential));
        window.demoAuthorizedPage = true;
      }
    });
  }

  window.addEventListener("popstate", function () {
    if (load()) reshow();
    else location.reload();
  });

  if (panel) wirePanel();

  // A page the browser loaded by itself (typed address, reload, a link from elsewhere)
  // came without the header: fetch it again with it. Back from the authorization server: finish the login first.
  if (window.demoAuthorizedPage) window.demoAuthorizedPage = false;
  else if (oauth2 && panel && finishFlow()) return;
  else if (load()) reshow();
})();
