/*
 * Fills the "this page's request cost" line (pages/templates/pages/_request_cost.html)
 * from the X-DB-Queries and Server-Timing headers of the response that made
 * this page.
 *
 * A page can come from three places, and each one keeps its headers somewhere else:
 * - an ordinary navigation: the browser's Navigation Timing entry has the
 *   Server-Timing figures (db's description carries the query count);
 * - DRF's ajax-form.js (PUT, PATCH, DELETE, OPTIONS), or
 * - the authorization panel (authorize.js): both fetch the page and write it
 *   into this document, so they leave the response in window.demoLastResponse
 *   ({header: function (name) -> value}) for the page they write.
 *
 * Plain ES5 with `var` inside a function: this file runs again in every page
 * written into the same window, where a top-level `let` would be redeclared.
 */
(function () {
  "use strict";

  var line = document.getElementById("cost-line");
  var last = window.demoLastResponse;
  window.demoLastResponse = undefined; // it describes this page only

  function parseServerTiming(header) {
    var figures = {};
    (header || "").split(",").forEach(function (metric) {
      var name = metric.split(";")[0].trim();
      var dur = /;\s*dur=([0-9.]+)/.exec(metric);
      var desc = /;\s*desc="?([^";]*)"?/.exec(metric);
      if (name) figures[name] = {duration: dur ? Number(dur[1]) : null, description: desc ? desc[1] : ""};
    });
    return figures;
  }

  function fromResponse(response) {
    return {queries: response.header("X-DB-Queries"), timing: parseServerTiming(response.header("Server-Timing"))};
  }

  function fromNavigation() {
    var entry = performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    var timing = {};
    ((entry && entry.serverTiming) || []).forEach(function (metric) {
      timing[metric.name] = {duration: metric.duration, description: metric.description};
    });
    // The middleware writes the same count into db's description ("3 SQL queries").
    var count = timing.db && /^(\d+)/.exec(timing.db.description);
    return {queries: count ? count[1] : null, timing: timing};
  }

  function show(cost) {
    function put(name, value) {
      var cell = line.querySelector('[data-cost="' + name + '"]');
      if (cell && value !== null && value !== undefined) cell.textContent = value;
    }
    put("queries", cost.queries);
    ["db", "auth", "total"].forEach(function (name) {
      var metric = cost.timing[name];
      if (metric && metric.duration !== null) put(name, metric.duration.toFixed(1));
    });
  }

  if (line) show(last ? fromResponse(last) : fromNavigation());

  // DRF's ajax-form.js writes its response into this document: keep that response's headers for the next page.
  if (window.jQuery) {
    window.jQuery(document).on("ajaxSend", function (event, xhr) {
      window.demoLastResponse = {header: function (name) { return xhr.getResponseHeader(name); }};
    });
  }
})();
