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
// browser may send cookies: only the session namespace gets them, so every
// other namespace sees its own scheme's credential and nothing else.
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
  async token(recipe, username, password) {
    const body = await answerOf(await postJSON(recipe.login, { username, password }), `${recipe.kind} login`);
    return { headers: { Authorization: `${recipe.keyword} ${body[recipe.field]}` }, credentials: "omit" };
  },
  async jwt(recipe, username, password) {
    const { access } = await answerOf(await postJSON(recipe.login, { username, password }), `${recipe.kind} login`);
    return { headers: { Authorization: `${recipe.keyword} ${access}` }, credentials: "omit" };
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
    const q = this.queries;
    return {
      sorted,
      median: percentile(sorted, 50),
      p95: percentile(sorted, 95),
      authMedian: percentile(auth, 50),
      queriesMean: q.length ? q.reduce((a, b) => a + b, 0) / q.length : NaN,
      queriesMin: q.length ? Math.min(...q) : NaN,
      queriesMax: q.length ? Math.max(...q) : NaN,
      rps: this.done / this.seconds,
    };
  }

  draw() {
    const s = this.stats();
    const queries = !Number.isFinite(s.queriesMean) ? "–"
      : s.queriesMin === s.queriesMax ? String(s.queriesMin)
      : `${s.queriesMean.toFixed(2)} (${s.queriesMin}–${s.queriesMax})`;
    this.node.replaceChildren(
      el("h3", {}, this.ns),
      el("p", { class: "lane-state" }, `${this.state}: ${this.done} / ${this.total}`),
      figure("median", `${fmt(s.median)} ms`, "median"),
      figure("p95", `${fmt(s.p95)} ms`, "p95"),
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

// Median and p95 of every lane on one log scale, so that basic and public fit on the same chart.
function drawBars(lanes) {
  const svg = document.getElementById("race-bars");
  const rowHeight = 26, left = 110, right = 40, width = 900, height = lanes.length * rowHeight + 24;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.replaceChildren();
  const all = lanes.flatMap((lane) => lane.latencies);
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
    if (Number.isFinite(s.p95)) svg.append(el("svg:rect", { x: left, y, width: x(s.p95) - left, height: rowHeight - 6, class: "bar p95" }));
    if (Number.isFinite(s.median)) svg.append(el("svg:rect", { x: left, y: y + 4, width: x(s.median) - left, height: rowHeight - 14, class: "bar median" }));
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
          const auth = /auth;dur=([0-9.]+)/.exec(response.headers.get("Server-Timing") || "");
          if (auth) lane.authMs.push(Number(auth[1]));
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

// The reading under the chart, computed from this run's figures.
function reading(lanes, concurrency) {
  const p = [];
  const finished = lanes.filter((lane) => lane.latencies.length);
  const names = (list) => list.map((lane) => lane.ns).join(", ");
  if (finished.length) {
    const bySpeed = [...finished].sort((a, b) => a.stats().median - b.stats().median);
    const fast = bySpeed[0], slow = bySpeed[bySpeed.length - 1];
    p.push(`Fastest median: ${fast.ns} (${fmt(fast.stats().median)} ms). Slowest: ${slow.ns} ` +
      `(${fmt(slow.stats().median)} ms, ${(slow.stats().median / fast.stats().median).toFixed(1)} times ${fast.ns}).`);
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
      p.push(`basic spent a median ${fmt(s.authMedian)} ms of its ${fmt(s.median)} ms authenticating: the server hashed ` +
        `the password again (${hasher}) for every single request. The others check a key or a signature.`);
    }
    p.push(`Requests per second are answers divided by each namespace's own wall time, with at most ${concurrency} ` +
      `requests in flight from this browser; on a shared machine they vary from run to run, the ratios less so.`);
  }
  const failed = lanes.filter((lane) => lane.failures.length);
  p.push(failed.length
    ? `Failures: ${failed.map((lane) => `${lane.ns} ${lane.failures.length} (${lane.failures[0]})`).join("; ")}.`
    : "No request failed.");
  document.getElementById("reading").replaceChildren(...p.map((text) => el("p", {}, text)));
}

const lanesNode = document.getElementById("lanes");
const statusNode = document.getElementById("race-status");

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
  // At most five redraws a second: drawing competes with the timing for this page's one thread.
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    setTimeout(() => { pending = false; lanes.forEach((lane) => lane.draw()); drawBars(lanes); }, 200);
  };
  redraw();
  const logins = {}; // one login per credential per run: the login endpoints are throttled
  try {
    for (const lane of lanes) {
      const recipe = RECIPES[lane.ns];
      const kind = recipe.login ? `${recipe.kind} ${recipe.login}` : recipe.kind;
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
    reading(lanes, concurrency);
    // Draw the final figures now, not on the next tick: "done" must show them.
    lanes.forEach((lane) => lane.draw());
    drawBars(lanes);
    const failures = lanes.reduce((n, lane) => n + lane.failures.length, 0);
    setStatus("done", `Finished: ${lanes.length} namespace${lanes.length === 1 ? "" : "s"}, ` +
      `${failures ? failures + " failure" + (failures === 1 ? "" : "s") : "no failures"}.`);
    button.disabled = false;
  }
});
