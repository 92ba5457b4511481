// The race (/race/): the same GET me/ to each namespace, timed by the browser, drawn live.
// Plain JavaScript and SVG, no library: what a client of each scheme does is all here to read.
"use strict";

// How each namespace's client logs in: the recipe GET /api/ publishes, on each checkbox
// (data-client). token-cached and jwt-stateless take the same credentials as token
// and jwt: same kind, same login URL, so one login serves both.
const RECIPES = Object.fromEntries(
  [...document.querySelectorAll("input[name=ns]")].map((box) => [box.value, JSON.parse(box.dataset.client)]),
);
const SVG = "http://www.w3.org/2000/svg";
const main = document.getElementById("race");

function cookie(name) {
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return found ? decodeURIComponent(found.slice(name.length + 1)) : null;
}

function postJSON(url, body, headers = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", ...headers },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
}

// A failed login is reported with what the server said, never swallowed.
async function answerOf(response, what) {
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const retry = response.headers.get("Retry-After");
    throw new Error(`${what}: HTTP ${response.status} ${body.detail || JSON.stringify(body)}` +
      (retry ? ` (retry after ${retry} s)` : ""));
  }
  return body;
}

// How a client obtains each kind of credential. `credentials` says whether the
// browser may send cookies: only the session and jwt-cookie namespaces get them, so
// every other namespace sees its own scheme's credential and nothing else.
const LOG_IN = {
  async none() {
    return { headers: {}, credentials: "omit" };
  },
  async basic(recipe, username, password) {
    // Authorization: Basic base64(username:password), UTF-8 as RFC 7617 allows.
    const bytes = new TextEncoder().encode(`${username}:${password}`);
    const encoded = btoa(String.fromCharCode(...bytes));
    return { headers: { Authorization: `Basic ${encoded}` }, credentials: "omit" };
  },
  async session(recipe, username, password) {
    await answerOf(await fetch(recipe.login, { headers: { Accept: "application/json" } }), "session: csrftoken");
    const response = await postJSON(recipe.login, { username, password }, { "X-CSRFToken": cookie("csrftoken") });
    await answerOf(response, "session login");
    return { headers: {}, credentials: "same-origin" }; // the HttpOnly sessionid cookie goes by itself
  },
  async cookie(recipe, username, password) {
    // jwt-cookie: the session's steps, with the recipe's names; the HttpOnly token cookies are never seen here.
    await answerOf(await fetch(recipe.login, { headers: { Accept: "application/json" } }), `${recipe.kind}: csrftoken`);
    const csrf = { [recipe.csrf_header]: cookie(recipe.csrf_cookie) };
    await answerOf(await postJSON(recipe.login, { username, password }, csrf), `${recipe.kind} login`);
    return { headers: {}, credentials: "same-origin", logout: recipe.logout };
  },
  async token(recipe, username, password) {
    const body = await answerOf(await postJSON(recipe.login, { username, password }), `${recipe.kind} login`);
    return { headers: { Authorization: `${recipe.keyword} ${body[recipe.field]}` }, credentials: "omit" };
  },
  async jwt(recipe, username, password) {
    const { access } = await answerOf(await postJSON(recipe.login, { username, password }), `${recipe.kind} login`);
    return { headers: { Authorization: `${recipe.keyword} ${access}` }, credentials: "omit" };
  },
  async oauth2(recipe, username, password) {
    // The authorization-code flow with PKCE, the login and consent pages walked by this script as a person would
    // walk them: pages/static/pages/oauth2_login.js, which the browser lab's page uses too.
    const tokens = await oauth2LogIn(recipe, username, password);
    return { headers: { Authorization: `${recipe.keyword} ${tokens.access_token}` }, credentials: "omit" };
  },
};

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

function fmt(ms) {
  if (!Number.isFinite(ms)) return "–";
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function el(tag, attrs = {}, text = "") {
  const node = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

// One namespace's results: every latency, every X-DB-Queries, every failure.
class Lane {
  constructor(ns, total) {
    this.ns = ns;
    this.total = total;
    this.latencies = [];
    this.serverMs = []; // Server-Timing total: the server's own time for each answer
    this.overheadMs = []; // round trip minus the server's own time: the browser and the network
    this.transferMs = []; // from the answer's first byte to its last (Resource Timing; see watchTransfers)
    this.queries = [];
    this.authMs = [];
    this.failures = [];
    this.seconds = NaN;
    this.state = "waiting";
    this.node = el("section", { class: "lane", "data-ns": ns });
    lanesNode.append(this.node);
  }

  get done() { return this.latencies.length + this.failures.length; }

  stats() {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const auth = [...this.authMs].sort((a, b) => a - b);
    const server = [...this.serverMs].sort((a, b) => a - b);
    const overhead = [...this.overheadMs].sort((a, b) => a - b);
    const transfer = [...this.transferMs].sort((a, b) => a - b);
    const q = this.queries;
    return {
      sorted,
      median: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      serverMedian: percentile(server, 50),
      serverP95: percentile(server, 95),
      overheadMedian: percentile(overhead, 50),
      transferMedian: percentile(transfer, 50),
      authMedian: percentile(auth, 50),
      queriesMean: q.length ? q.reduce((a, b) => a + b, 0) / q.length : NaN,
      queriesMin: q.length ? Math.min(...q) : NaN,
      queriesMax: q.length ? Math.max(...q) : NaN,
      rps: this.done / this.seconds,
    };
  }

  // `baseline`: the public lane's figures, for the ratios (undefined without a public lane).
  draw(baseline) {
    const s = this.stats();
    const queries = !Number.isFinite(s.queriesMean) ? "–"
      : s.queriesMin === s.queriesMax ? String(s.queriesMin)
      : `${s.queriesMean.toFixed(2)} (${s.queriesMin}–${s.queriesMax})`;
    this.node.replaceChildren(
      el("h3", {}, this.ns),
      el("p", { class: "lane-state" }, `${this.state}: ${this.done} / ${this.total}`),
      el("h4", {}, "round trip, in this browser"),
      figure("median", `${fmt(s.median)} ms`, "median"),
      figure("p95", `${fmt(s.p95)} ms`, "p95"),
      figure("ratio", times(s.median, baseline && baseline.median), "× public"),
      figure("transfer", `${fmt(s.transferMedian)} ms`, "first to last byte"),
      el("h4", {}, "the server's own time"),
      figure("server-median", `${fmt(s.serverMedian)} ms`, "median"),
      figure("server-p95", `${fmt(s.serverP95)} ms`, "p95"),
      figure("server-ratio", times(s.serverMedian, baseline && baseline.serverMedian), "× public"),
      figure("overhead", `${fmt(s.overheadMedian)} ms`, "browser + network"),
      el("h4", {}, "per request"),
      figure("rps", Number.isFinite(s.rps) ? s.rps.toFixed(1) : "–", "req/s"),
      figure("queries", queries, "queries/req"),
      figure("auth", `${fmt(s.authMedian)} ms`, "auth"),
      figure("failures", String(this.failures.length), "failed", this.failures.length ? "bad" : ""),
      histogram(s),
    );
    if (this.failures.length) {
      this.node.append(el("p", { class: "lane-error" }, this.failures[this.failures.length - 1]));
    }
  }
}

// "3.2": how many times `baseline` a figure is ("–" when either is missing).
function times(ms, baseline) {
  if (!Number.isFinite(ms) || !Number.isFinite(baseline) || baseline <= 0) return "–";
  const ratio = ms / baseline;
  return ratio >= 100 ? ratio.toFixed(0) : ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2);
}

function figure(name, value, label, extra = "") {
  const node = el("div", { class: `figure figure-${name} ${extra}`.trim() });
  node.append(el("span", { class: "value" }, value), el("span", { class: "label" }, label));
  return node;
}

// The latency distribution of one lane: 20 bins from 0 to its slowest answer.
function histogram(s) {
  const width = 160, height = 90, bins = 20;
  const svg = el("svg:svg", { class: "histogram", viewBox: `0 0 ${width} ${height + 14}`, role: "img" });
  if (!s.sorted.length) return svg;
  const top = s.sorted[s.sorted.length - 1] || 1;
  const counts = new Array(bins).fill(0);
  for (const ms of s.sorted) counts[Math.min(bins - 1, Math.floor((ms / top) * bins))] += 1;
  const most = Math.max(...counts);
  counts.forEach((count, i) => {
    const h = (count / most) * height;
    svg.append(el("svg:rect", { x: i * (width / bins) + 0.5, y: height - h, width: width / bins - 1, height: h, class: "bin" }));
  });
  for (const [name, ms] of [["median", s.median], ["p95", s.p95]]) {
    const x = (ms / top) * width;
    svg.append(el("svg:line", { x1: x, x2: x, y1: 0, y2: height, class: `mark ${name}` }));
  }
  svg.append(el("svg:text", { x: 0, y: height + 12, class: "axis" }, "0"));
  svg.append(el("svg:text", { x: width, y: height + 12, class: "axis", "text-anchor": "end" }, `${fmt(top)} ms`));
  svg.append(el("svg:title", {}, `${s.sorted.length} answers, 0 to ${fmt(top)} ms`));
  return svg;
}

// Median and p95 of every lane's round trip, and the server's own median under them, on one log scale, so
// that basic and public fit on the same chart.
function drawBars(lanes) {
  const svg = document.getElementById("race-bars");
  const rowHeight = 32, left = 110, right = 40, width = 900, height = lanes.length * rowHeight + 24;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const all = lanes.flatMap((lane) => [...lane.latencies, ...lane.serverMs]);
  const low = Math.pow(10, Math.floor(Math.log10(Math.max(0.1, Math.min(...all, 1)))));
  const high = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 10))));
  const x = (ms) => left + ((Math.log10(Math.max(ms, low)) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * (width - left - right);
  for (let tick = low; tick <= high; tick *= 10) {
    svg.append(el("svg:line", { x1: x(tick), x2: x(tick), y1: 0, y2: height - 18, class: "grid" }));
    svg.append(el("svg:text", { x: x(tick), y: height - 4, class: "axis", "text-anchor": "middle" }, `${tick >= 1 ? tick : tick.toFixed(1)} ms`));
  }
  lanes.forEach((lane, i) => {
    const s = lane.stats();
    const y = i * rowHeight + 4;
    svg.append(el("svg:text", { x: left - 8, y: y + 15, class: "name", "text-anchor": "end" }, lane.ns));
    if (Number.isFinite(s.p95)) svg.append(el("svg:rect", { x: left, y, width: x(s.p95) - left, height: rowHeight - 14, class: "bar p95" }));
    if (Number.isFinite(s.median)) svg.append(el("svg:rect", { x: left, y: y + 4, width: x(s.median) - left, height: rowHeight - 22, class: "bar median" }));
    if (Number.isFinite(s.serverMedian)) svg.append(el("svg:rect", { x: left, y: y + rowHeight - 12, width: x(s.serverMedian) - left, height: 6, class: "bar server" }));
    if (lane.failures.length) svg.append(el("svg:text", { x: width - 4, y: y + 15, class: "bad", "text-anchor": "end" }, `${lane.failures.length} failed`));
  });
}

// The same GET me/ as fast as `concurrency` requests in flight allow, until `lane.total` have answered.
async function runLane(lane, credential, username, concurrency, redraw) {
  let sent = 0;
  const started = performance.now();
  async function worker() {
    while (sent < lane.total) {
      sent += 1;
      const t0 = performance.now();
      try {
        const response = await fetch(`/api/${lane.ns}/me/`, {
          headers: { Accept: "application/json", ...credential.headers },
          credentials: credential.credentials,
          cache: "no-store",
        });
        const body = await response.json().catch(() => null);
        const ms = performance.now() - t0;
        const expected = lane.ns === "public" ? null : username;
        if (response.status !== 200 || !body || body.scheme !== lane.ns || body.username !== expected) {
          lane.failures.push(`HTTP ${response.status}: ${body ? body.detail || JSON.stringify(body) : "no JSON body"}`);
        } else {
          lane.latencies.push(ms);
          lane.queries.push(Number(response.headers.get("X-DB-Queries")));
          const timing = response.headers.get("Server-Timing") || "";
          const auth = /auth;dur=([0-9.]+)/.exec(timing);
          if (auth) lane.authMs.push(Number(auth[1]));
          const total = /total;dur=([0-9.]+)/.exec(timing);
          if (total) {
            lane.serverMs.push(Number(total[1]));
            lane.overheadMs.push(ms - Number(total[1]));
          }
        }
      } catch (error) {
        lane.failures.push(`network error: ${error.message}`);
      }
      lane.seconds = (performance.now() - started) / 1000;
      redraw();
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, lane.total) }, worker));
}

// The public lane's figures, the baseline of every ratio (undefined if public did not run).
function baselineOf(lanes) {
  const lane = lanes.find((l) => l.ns === "public" && l.serverMs.length);
  return lane && lane.stats();
}

// The time from each answer's first byte to its last, as the browser's Resource Timing records it. An answer
// of a few hundred bytes arrives at once (a millisecond or two, even on a busy machine), unless the server wrote
// it in pieces and the connection held the last ones back: then it is the stall itself, ~40 ms. A busy browser
// makes round trips long too, but not this.
let racing = {}; // ns -> its lane, in the race under way
function recordTransfers(entries) {
  for (const entry of entries) {
    const ns = (/^\/api\/([^/]+)\/me\/$/.exec(new URL(entry.name).pathname) || [])[1];
    if (racing[ns] && entry.responseStart > 0) racing[ns].transferMs.push(entry.responseEnd - entry.responseStart);
  }
}
const transfers = new PerformanceObserver((list) => recordTransfers(list.getEntries()));
transfers.observe({ type: "resource" });

// A lane stalls when its median round trip is many times the server's own time, and its answers took STALL_MS
// or more from their first byte to their last.
const STALL_TIMES = 4, STALL_MS = 20;
function stalls(s) {
  return s.median >= STALL_TIMES * s.serverMedian && s.transferMedian >= STALL_MS;
}

function percent(part, whole) {
  return `${Math.round((100 * part) / whole)}%`;
}

// The reading under the chart, computed from this run's figures.
function reading(lanes, concurrency) {
  const p = [];
  const finished = lanes.filter((lane) => lane.serverMs.length);
  const names = (list) => list.map((lane) => lane.ns).join(", ");
  const baseline = baselineOf(lanes);
  if (finished.length) {
    // First, since it changes how the rest reads: a stall in the connection.
    const stalled = finished.filter((lane) => stalls(lane.stats()));
    if (stalled.length) {
      const ratio = (lane) => lane.stats().median / lane.stats().serverMedian;
      const worst = stalled.reduce((a, b) => (ratio(a) >= ratio(b) ? a : b));
      const w = worst.stats();
      p.push(`The server or the connection stalls: the median round trip of ${names(stalled)} was many times the ` +
        `server's own time (${worst.ns}: ${fmt(w.median)} ms against ${fmt(w.serverMedian)} ms, ` +
        `${times(w.median, w.serverMedian)} times), and each answer, a few hundred bytes, took a median ` +
        `${fmt(w.transferMedian)} ms from its first byte to its last: time that neither the server nor this browser ` +
        `spent working. That is the mark of a server that writes each answer in small pieces with Nagle's algorithm ` +
        `on, so the last pieces wait for the browser's delayed acknowledgement (about 40 ms): Django's runserver ` +
        `does. make demo serves with gunicorn, which does not; these round trips measure TCP, not authentication.`);
    }

    // The schemes compared by what the server itself spent on each request.
    const byServer = [...finished].sort((a, b) => a.stats().serverMedian - b.stats().serverMedian);
    p.push(`By the server's own time per request (Server-Timing total, median): ` + byServer.map((lane) => {
      const s = lane.stats();
      const ratio = baseline && lane.ns !== "public" ? ` (${times(s.serverMedian, baseline.serverMedian)}× public)` : "";
      return `${lane.ns} ${fmt(s.serverMedian)} ms${ratio}`;
    }).join(", ") + "." + (baseline ? "" : " Race public too to see each as a multiple of the baseline."));

    // What the browser saw, and how much of it was the browser and the network: the round trip minus the
    // server's own time. A lane far above the others waited inside the server, before its clock started.
    const bySpeed = [...finished].sort((a, b) => a.stats().median - b.stats().median);
    const fast = bySpeed[0], slow = bySpeed[bySpeed.length - 1];
    const overhead = (lane) => lane.stats().overheadMedian;
    const typical = percentile(finished.map(overhead).sort((a, b) => a - b), 50);
    const queued = finished.filter((lane) => overhead(lane) > 2 * typical + 10);
    const alike = finished.filter((lane) => !queued.includes(lane)).map(overhead);
    p.push(`In this browser, the fastest median round trip was ${fast.ns} (${fmt(fast.stats().median)} ms), the slowest ` +
      `${slow.ns} (${fmt(slow.stats().median)} ms, ${times(slow.stats().median, fast.stats().median)} times ${fast.ns}). ` +
      `Of each round trip, the browser and the network (and the web server around Django) took a median ` +
      `${fmt(Math.min(...alike))} to ${fmt(Math.max(...alike))} ms, the round trip minus the server's own time: ` +
      `${percent(overhead(fast), fast.stats().median)} of ${fast.ns}'s round trip. They add about the same ` +
      `milliseconds to every scheme, so the round trips differ less than the server's times do: compare the schemes ` +
      `by the server's time.`);
    if (queued.length) p.push(`${queued.map((lane) => `${lane.ns} (${fmt(overhead(lane))} ms)`).join(", ")}: more ` +
      `than the browser adds. Those requests waited inside the server for a free core before its clock (the first ` +
      `middleware) started: with ${concurrency} in flight, each one busy for ${fmt(queued[0].stats().serverMedian)} ms, ` +
      `they queue behind each other.`);

    const none = finished.filter((lane) => lane.stats().queriesMax === 0);
    const warmed = finished.filter((lane) => lane.stats().queriesMax > 0 && lane.queries[lane.queries.length - 1] === 0);
    const asked = finished.filter((lane) => !none.includes(lane) && !warmed.includes(lane));
    if (none.length) p.push(`No database query at all: ${names(none)}. Their answer needs only what the request carries (and, for public, nothing).`);
    if (warmed.length) p.push(`Queried only until the cache was warm: ${warmed.map((lane) =>
      `${lane.ns} (${lane.queries.filter((q) => q > 0).length} of ${lane.queries.length} requests asked the database)`).join(", ")}.`);
    if (asked.length) p.push(`Asked the database on every request: ${asked.map((lane) =>
      `${lane.ns} (${lane.stats().queriesMax} quer${lane.stats().queriesMax === 1 ? "y" : "ies"})`).join(", ")}.`);
    const basic = finished.find((lane) => lane.ns === "basic");
    if (basic) {
      const s = basic.stats();
      const hasher = main.dataset.hasher + (main.dataset.iterations ? `, ${main.dataset.iterations} iterations` : "");
      p.push(`basic spent a median ${fmt(s.authMedian)} ms of its ${fmt(s.serverMedian)} ms on the server authenticating: ` +
        `the server hashed the password again (${hasher}) for every single request. The others check a key or a signature.`);
    }
    p.push(`Requests per second are answers divided by each namespace's own wall time, with at most ${concurrency} ` +
      `requests in flight from this browser; on a shared machine they vary from run to run, the ratios less so.`);
  }
  const failed = lanes.filter((lane) => lane.failures.length);
  p.push(failed.length
    ? `Failures: ${failed.map((lane) => `${lane.ns} ${lane.failures.length} (${lane.failures[0]})`).join("; ")}.`
    : "No request failed.");
  document.getElementById("reading").replaceChildren(...p.map((text) =>
    el("p", text.startsWith("The server or the connection stalls") ? { class: "stall" } : {}, text)));
}

const lanesNode = document.getElementById("lanes");
const statusNode = document.getElementById("race-status");

function drawAll(lanes) {
  const baseline = baselineOf(lanes);
  lanes.forEach((lane) => lane.draw(baseline));
  drawBars(lanes);
}

function setStatus(state, text) {
  statusNode.dataset.state = state;
  statusNode.textContent = text;
}

document.getElementById("race-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData(event.target);
  const namespaces = form.getAll("ns");
  const username = form.get("username"), password = form.get("password");
  const total = Number(form.get("requests")), concurrency = Number(form.get("concurrency"));
  if (!namespaces.length) return setStatus("idle", "Pick at least one namespace.");
  const button = document.getElementById("start");
  button.disabled = true;
  lanesNode.replaceChildren();
  const lanes = namespaces.map((ns) => new Lane(ns, total));
  racing = Object.fromEntries(lanes.map((lane) => [lane.ns, lane]));
  // At most five redraws a second: drawing competes with the timing for this page's one thread.
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; drawAll(lanes); }, 200);
  };
  redraw();
  const logins = {}; // one login per credential per run: the login endpoints are throttled
  try {
    for (const lane of lanes) {
      const recipe = RECIPES[lane.ns];
      // One login per credential: per login URL; for oauth2, per authorization server (its issuer, its token URL).
      const kind = recipe.login ? `${recipe.kind} ${recipe.login}`
        : recipe.token ? `${recipe.kind} ${recipe.issuer || ""} ${recipe.token}` : recipe.kind;
      setStatus("running", `Logging in for ${lane.ns}…`);
      lane.state = "logging in";
      redraw();
      logins[kind] = logins[kind] || LOG_IN[recipe.kind](recipe, username, password);
      let credential;
      try {
        credential = await logins[kind];
      } catch (error) {
        lane.state = "could not log in";
        lane.failures.push(error.message);
        redraw();
        continue;
      }
      setStatus("running", `Racing ${lane.ns}: ${total} requests, ${concurrency} at a time…`);
      lane.state = "running";
      await runLane(lane, credential, username, concurrency, redraw);
      lane.state = "finished";
      redraw();
    }
  } finally {
    if (Object.keys(logins).some((kind) => kind.startsWith("session "))) {
      // Leave no session behind: log out with the CSRF token, as the session scheme requires.
      await postJSON("/api/session/logout/", {}, { "X-CSRFToken": cookie("csrftoken") }).catch(() => null);
    }
    for (const [kind, login] of Object.entries(logins)) {
      if (!kind.startsWith("cookie ")) continue;
      // jwt-cookie: blacklist the refresh token, and have the server drop the cookies a script can't delete.
      const credential = await login.catch(() => null);
      if (credential) await postJSON(credential.logout, {}, { "X-CSRFToken": cookie("csrftoken") }).catch(() => null);
    }
    recordTransfers(transfers.takeRecords()); // the entries not yet handed to the observer's callback
    reading(lanes, concurrency);
    // Draw the final figures now, not on the next tick: "done" must show them.
    drawAll(lanes);
    const failures = lanes.reduce((n, lane) => n + lane.failures.length, 0);
    setStatus("done", `Finished: ${lanes.length} namespace${lanes.length === 1 ? "" : "s"}, ` +
      `${failures ? failures + " failure" + (failures === 1 ? "" : "s") : "no failures"}.`);
    button.disabled = false;
  }
});
