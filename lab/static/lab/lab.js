// The browser lab (/lab/): the victim's page. It logs in to every namespace, keeps each credential where that
// scheme's clients commonly keep it, and runs each attack against all of them. Plain JavaScript, no library.
// The other sites' pages (site.js) act in a window this page opens; injected.js stands for an injected script.
"use strict";

const CONFIG = JSON.parse(document.getElementById("lab-config").textContent);
const { origins, namespaces, user, password } = CONFIG;
// lab/attacks.py's STORAGES: where each recipe kind's credential lives.
const STORAGES = JSON.parse(document.getElementById("lab-storages").textContent);
const statusNode = document.getElementById("lab-status");
// The page's own fetch, kept before any script could wrap it (xss-misuse wraps window.fetch; the lab undoes it).
const realFetch = window.fetch.bind(window);
// Credentials kept "in memory": a variable of this closure, which no storage API (and no other script) can name.
const memory = new Map();

const CELLS = Object.entries(namespaces).flatMap(([ns, recipe]) =>
  (STORAGES[recipe.kind] || []).map((storage) => ({ ns, recipe, storage, key: `${ns}/${storage}` })),
);
const COOKIE_STORAGES = new Set(["cookie", "basic-cache"]); // the browser attaches these by itself

function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
}

function csrfHeaders(recipe) {
  return { [recipe.csrf_header || "X-CSRFToken"]: cookie(recipe.csrf_cookie || "csrftoken") };
}

function runId() {
  return [...crypto.getRandomValues(new Uint8Array(8))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const storageKey = (cell) => `lab:${cell.ns}`;
const tokenOf = (cell) => (cell.storage === "localStorage" ? localStorage.getItem(storageKey(cell)) : memory.get(cell.ns));

function keep(cell, token) {
  if (cell.storage === "localStorage") localStorage.setItem(storageKey(cell), token);
  else memory.set(cell.ns, token);
}

// The app's own requests. window.fetch is looked up at each call, as any app's code does: an injected script
// that wraps it sees every request the page makes from then on.
function api(cell, method, path, body) {
  const headers = { Accept: "application/json" };
  let credentials = "omit"; // a token goes in its header, nothing else
  if (COOKIE_STORAGES.has(cell.storage)) {
    credentials = "same-origin";
    if (method !== "GET") Object.assign(headers, csrfHeaders(cell.recipe));
  } else {
    headers.Authorization = `${cell.recipe.keyword} ${tokenOf(cell)}`;
  }
  if (body) headers["Content-Type"] = "application/json";
  return window.fetch(`/api/${cell.ns}/${path}`, { method, headers, credentials, body: body && JSON.stringify(body) });
}

async function postJSON(url, body, headers, credentials) {
  return realFetch(url, {
    method: "POST",
    credentials,
    headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

// One login per login endpoint and storage: token-cached takes token's tokens, jwt-stateless jwt's (CONTRACT.md),
// and the login endpoints are throttled. Resolves to the token (null for cookies and Basic).
async function logInOnce(cell) {
  const { recipe } = cell;
  if (cell.storage === "localStorage" && tokenOf(cell) && (await api(cell, "GET", "me/")).ok) return tokenOf(cell);
  if (recipe.kind === "basic") {
    // The first request gets Basic's challenge and the browser asks for the user name and password itself.
    const response = await api(cell, "GET", "me/");
    if (!response.ok) throw new Error(`basic: HTTP ${response.status}: answer the browser's prompt with ${user} / ${password}`);
    return null;
  }
  if (recipe.kind === "session" || recipe.kind === "cookie") {
    await realFetch(recipe.login, { headers: { Accept: "application/json" }, credentials: "same-origin" }); // csrftoken
    const response = await postJSON(recipe.login, { username: user, password }, csrfHeaders(recipe), "same-origin");
    if (!response.ok) throw new Error(`${cell.ns} login: HTTP ${response.status}`);
    return null;
  }
  if (recipe.kind === "oauth2") {
    // The authorization-code flow with PKCE through the authorization server's login and consent pages, as the
    // race runs it (pages/static/pages/oauth2_login.js): the page keeps the access token the token endpoint gave.
    return (await oauth2LogIn(recipe, user, password)).access_token;
  }
  const response = await postJSON(recipe.login, { username: user, password }, {}, "omit");
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(`${cell.ns} login: HTTP ${response.status} ${answer.detail || ""}`);
  return recipe.kind === "jwt" ? answer.access : answer[recipe.field];
}

const logins = new Map(); // once per page load
async function logIn(cell) {
  const once = cell.recipe.login ? `${cell.recipe.login} ${cell.storage}` : cell.key;
  if (!logins.has(once)) logins.set(once, logInOnce(cell).catch((error) => { logins.delete(once); throw error; }));
  const token = await logins.get(once);
  if (token && tokenOf(cell) !== token) keep(cell, token);
}

async function notesTitled(cell, title) {
  const response = await api(cell, "GET", "notes/");
  if (!response.ok) return false;
  return (await response.json()).some((note) => note.title === title);
}

// --- The other sites' window: opened on the button's click (a browser allows a pop-up only then), then moved
// from site to site. Each page there says "ready", takes a job and answers with its result.
let other = null;
function openOtherWindow() {
  other = window.open("about:blank", "lab-other-site", "popup,width=560,height=420");
  if (!other) throw new Error("the browser blocked the lab's window: allow pop-ups for this page");
}

function visit(url, job) {
  const origin = new URL(url).origin;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { done(); reject(new Error(`${origin} did not answer in 30 s`)); }, 30_000);
    function onMessage(event) {
      if (event.origin !== origin || event.source !== other) return;
      if (event.data.ready) other.postMessage(job, origin);
      else if ("result" in event.data) { done(); resolve(event.data.result); }
    }
    function done() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
    window.addEventListener("message", onMessage);
    other.location.href = url;
  });
}

function closeOtherWindow() {
  if (other && !other.closed) other.close();
  other = null;
}

// --- The injected script (a fixed file: the lab has no injection point). It reports on a document event.
function inject(task, run, targets, onLoaded = () => {}) {
  return new Promise((resolve) => {
    const script = document.createElement("script");
    script.src = document.getElementById("lab-injected").dataset.src;
    Object.assign(script.dataset, { task, run, attacker: origins.attacker, targets: JSON.stringify(targets) });
    document.addEventListener("lab:injected", (event) => { script.remove(); resolve(event.detail); }, { once: true });
    script.addEventListener("load", onLoaded);
    document.body.append(script);
  });
}

function targetOf(cell, title) {
  const { ns, recipe, storage } = cell;
  return { ns, storage, title, kind: recipe.kind, keyword: recipe.keyword || "", storageKey: storageKey(cell),
           csrfCookie: recipe.csrf_cookie || "csrftoken", csrfHeader: recipe.csrf_header || "X-CSRFToken" };
}

const succeeded = (detail, extra = {}) => ({ outcome: "attacker succeeded", detail, ...extra });
const failed = (detail, extra = {}) => ({ outcome: "attacker failed", detail, ...extra });

// What the attacker's server received and got with it (lab/views.py CollectView), read back for the lesson.
async function stolen(run) {
  return (await realFetch(`/lab/stolen/?run=${run}`, { headers: { Accept: "application/json" } })).json();
}

// Which stolen value, if any, is this cell's credential: "localStorage:<key>", "cookies", or "".
function sourceOf(cell, found) {
  const { loot, replays } = found;
  if (COOKIE_STORAGES.has(cell.storage)) {
    const worked = replays.some((r) => r.source === "cookies" && r.namespace === cell.ns && r.status === 200 && r.username === user);
    return worked ? "cookies" : "";
  }
  const token = tokenOf(cell);
  for (const area of ["localStorage", "sessionStorage"]) {
    for (const [key, value] of Object.entries(loot[area] || {})) {
      // A page that keeps its token in memory has none in storage: the copies this lab page keeps for the
      // localStorage rows don't count (DRF's token login answers the same key every time, one per user).
      if (cell.storage === "memory" && key.startsWith("lab:")) continue;
      if (value === token) return `${area}:${key}`;
    }
  }
  return "";
}

function describeLoot(loot) {
  const names = (loot.cookies || "").split("; ").filter(Boolean).map((c) => c.split("=")[0]);
  const keys = (area) => Object.keys(loot[area] || {}).join(", ") || "nothing";
  return `document.cookie: ${names.join(", ") || "nothing"}; localStorage: ${keys("localStorage")}; sessionStorage: ${keys("sessionStorage")}`;
}

const ATTACKS = {
  async "csrf-form"(cells, run) { return csrf("csrf-form", cells, run); },
  async "csrf-fetch"(cells, run) { return csrf("csrf-fetch", cells, run); },

  async "xss-steal"(cells, run) {
    const { loot } = await inject("steal", run, []);
    const found = await stolen(run);
    return Object.fromEntries(cells.map((cell) => {
      const source = sourceOf(cell, found);
      const read = `the script read ${describeLoot(loot)}`;
      if (source) return [cell.key, succeeded(`${read}; the credential (${source}) reached the attacker's server`, { source, run })];
      const why = cell.storage === "memory" ? "the token is in no storage a script can read"
        : cell.storage === "basic-cache" ? "no script can read the browser's cached Basic credentials"
        : "the credential cookie is HttpOnly";
      return [cell.key, failed(`${read}; ${why}`, { source, run })];
    }));
  },

  async "xss-replay"(cells, run) {
    await inject("steal", run, []);
    const found = await stolen(run);
    return Object.fromEntries(cells.map((cell) => {
      const source = sourceOf(cell, found);
      const tries = found.replays.filter((r) => r.namespace === cell.ns && r.source === (source || "cookies"));
      const worked = source && tries.some((r) => r.status === 200 && r.username === user);
      const statuses = tries.map((r) => r.status).join(", ") || "nothing to try";
      return [cell.key, worked
        ? succeeded(`the attacker's server, with none of your cookies, got GET me/ as ${user} with what was stolen`, { source, run })
        : failed(`nothing stolen works as this credential (the attacker's tries: ${statuses})`, { source, run })];
    }));
  },

  async "xss-misuse"(cells, run) {
    const title = (cell) => `lab xss-misuse ${cell.storage} ${run}`;
    const targets = cells.map((cell) => targetOf(cell, title(cell)));
    // Once the script is in, the page goes on with its work: its next request of each in-memory credential.
    const pageGoesOn = () => cells.filter((c) => c.storage === "memory").forEach((c) => api(c, "GET", "me/"));
    const { misused } = await inject("misuse", run, targets, pageGoesOn);
    window.fetch = realFetch; // the lab's reset; a real page stays wrapped until it is reloaded
    const results = {};
    for (const cell of cells) {
      const how = misused[cell.key] || "the script found nothing to send";
      results[cell.key] = (await notesTitled(cell, title(cell)))
        ? succeeded(`a note was created in ${user}'s account from the page (${how})`)
        : failed(`no note was created (${how})`);
    }
    return results;
  },

  async "cross-origin-read"(cells) {
    const urls = cells.map((cell) => `${origins.api}/api/${cell.ns}/me/`);
    const evil = await visit(`${origins.attacker}/`, { task: "read", urls });
    const front = await visit(`${origins.front}/lab/front-end/`, { task: "read", urls });
    return Object.fromEntries(cells.map((cell, i) => {
      const frontRead = front[i].read ? `read HTTP ${front[i].status}${front[i].username ? ` as ${front[i].username}` : ""}`
        : `could not read it (${front[i].error})`;
      const own = COOKIE_STORAGES.has(cell.storage) ? "" : " (web storage is per origin: it holds no token of this page's)";
      const detail = (what) => `evil.localhost ${what}; the same-site front end (CORS allows it) ${frontRead}${own}`;
      return [cell.key, evil[i].read && evil[i].username === user
        ? succeeded(detail(`read GET me/ as ${user}`))
        : failed(detail(evil[i].read ? `read HTTP ${evil[i].status}` : `could not read the answer (${evil[i].error})`))];
    }));
  },
};

async function csrf(attack, cells, run) {
  const jobs = cells.map((cell) => ({ url: `${origins.api}/api/${cell.ns}/notes/`, title: `lab ${attack} ${cell.storage} ${run}` }));
  await visit(`${origins.attacker}/`, { task: attack, jobs });
  const results = {};
  for (const [i, cell] of cells.entries()) {
    results[cell.key] = (await notesTitled(cell, jobs[i].title))
      ? succeeded(`evil.localhost created a note in ${user}'s account`)
      : failed("no note was created");
  }
  return results;
}

// --- The tutorial's claims.
const CLAIMS = {
  // (a) Do the cookies go with a front end's requests from another origin of the same site, and from another site?
  async "claim-a"() {
    await realFetch("/lab/probe/set/", { credentials: "same-origin" });
    const kept = document.cookie.split("; ").map((c) => c.split("=")[0]).filter((name) => name.startsWith("lab-probe-"));
    const cookieCells = CELLS.filter((c) => c.storage === "cookie");
    for (const cell of cookieCells) await logIn(cell);
    const urls = [`${origins.api}/lab/probe/echo/`, ...cookieCells.map((c) => `${origins.api}/api/${c.ns}/me/`)];
    const rows = [];
    for (const [frontEnd, url] of [["same-site", `${origins.front}/lab/front-end/`], ["cross-site", `${origins.cross_front}/front-end/`]]) {
      const [echo, ...reads] = await visit(url, { task: "read", urls });
      const probes = echo.read ? echo.body.probes : [];
      for (const [name, samesite] of Object.entries(CONFIG.probes)) {
        rows.push({ claim: "a", front_end: frontEnd, cookie: samesite, kept: kept.includes(name), sent: probes.includes(name) });
      }
      const writes = cookieCells.map((c) => ({ url: `${origins.api}/api/${c.ns}/notes/`, csrfCookie: c.recipe.csrf_cookie || "csrftoken", csrfHeader: c.recipe.csrf_header || "X-CSRFToken" }));
      const written = await visit(url, { task: "write", writes });
      cookieCells.forEach((cell, i) => {
        const w = written[i];
        const said = w.read ? `HTTP ${w.status}${w.detail ? `: ${w.detail}` : ""}` : w.error;
        rows.push({ claim: "a", write: true, front_end: frontEnd, cookie: `${cell.ns}: POST notes/ with ${writes[i].csrfHeader}`,
                    kept: true, sent: w.read && w.status === 201, detail: said.replaceAll(origins.front, "http://127.0.0.1:PORT+1").replaceAll(origins.cross_front, "http://app.localhost:PORT") });
      });
      cookieCells.forEach((cell, i) => {
        const sent = echo.read ? (echo.body.credential_cookies[cell.ns] || []) : [];
        const read = reads[i];
        rows.push({ claim: "a", front_end: frontEnd, cookie: `${cell.ns}'s credential cookie`, kept: true, sent: sent.length > 0,
                    detail: read.read ? `GET /api/${cell.ns}/me/ read HTTP ${read.status}${read.username ? ` as ${read.username}` : ""}` : `GET /api/${cell.ns}/me/ not readable (${read.error})` });
      });
    }
    return rows;
  },
  // (b) Can a non-browser client (a cookie jar, as a mobile or desktop app has) use the cookie namespaces?
  async "claim-b"() {
    const response = await realFetch("/lab/app-client/", { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": cookie("csrftoken"), Accept: "application/json" } });
    return (await response.json()).rows;
  },
};

// --- Drawing the outcomes.
function show(attack, cell, result) {
  const td = document.getElementById(`cell-${cell.ns}-${cell.storage}-${attack}`);
  td.dataset.outcome = result.outcome;
  td.dataset.detail = result.detail;
  if (result.source !== undefined) td.dataset.source = result.source;
  if (result.run) td.dataset.run = result.run;
  td.textContent = result.outcome === "attacker succeeded" ? "succeeded" : "failed";
  td.title = result.detail;
  td.className = result.outcome === "attacker succeeded" ? "lab-succeeded" : "lab-failed";
  document.querySelectorAll(`[data-cites="${cell.ns}/${cell.storage}/${attack}"]`).forEach((node) => {
    node.textContent = `${cell.ns}, ${cell.storage}, ${attack}: attacker ${td.textContent} here (recorded: ${node.dataset.expected})`;
  });
}

function showClaims(claim, rows) {
  const body = document.getElementById(`${claim}-rows`);
  body.replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    const cells = claim === "claim-a"
      ? [row.front_end, row.cookie, row.kept ? "yes" : "no", row.write ? (row.sent ? "accepted" : "refused") : (row.sent ? "sent" : "not sent"), row.detail || ""]
      : [row.namespace, row.client, row.works ? "works" : "fails", row.detail];
    for (const text of cells) { const td = document.createElement("td"); td.textContent = text; tr.append(td); }
    tr.dataset.row = JSON.stringify(row);
    return tr;
  }));
}

async function run(name, button) {
  button.disabled = true;
  delete button.dataset.done;
  delete button.dataset.error;
  document.body.dataset.running = name;
  statusNode.textContent = `Running ${name}…`;
  try {
    if (CLAIMS[name]) {
      if (name === "claim-a") openOtherWindow();
      showClaims(name, await CLAIMS[name]());
    } else {
      if (["csrf-form", "csrf-fetch", "cross-origin-read"].includes(name)) openOtherWindow();
      for (const cell of CELLS) await logIn(cell);
      const results = await ATTACKS[name](CELLS, runId());
      for (const cell of CELLS) show(name, cell, results[cell.key]);
    }
    statusNode.textContent = `${name}: done.`;
  } catch (error) {
    statusNode.textContent = `${name} stopped: ${error.message}`;
    button.dataset.error = error.message;
  } finally {
    closeOtherWindow();
    button.disabled = false;
    delete document.body.dataset.running;
    button.dataset.done = "1"; // browser_lab waits for this
  }
}

document.querySelectorAll("button[data-run]").forEach((button) => {
  button.addEventListener("click", () => run(button.dataset.run, button));
});
