// Shieldwall console: the overview's live feed. New alerts and incidents arrive from
// /console/stream (server-sent events on the session; the server's gate filters each one)
// and are added at the top of the feed, as text only (never as HTML).
(function () {
  "use strict";
  var MAX_ITEMS = 50;
  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }
  function add(feed, kind, data) {
    var item = document.createElement("li");
    item.className = "feed-" + kind;
    item.setAttribute("data-kind", kind);
    var when = document.createElement("time");
    when.textContent = (data.created_at || "").replace("T", " ").slice(0, 19);
    item.appendChild(when);
    item.appendChild(document.createTextNode(" · " + kind + " · " + data.org_id + " · "));
    if (kind === "alert") {
      item.setAttribute("data-seq", String(data.seq));
      item.appendChild(link("/console/alerts/" + data.seq, data.rule_title));
      item.appendChild(document.createTextNode(" · " + data.level));
    } else {
      item.setAttribute("data-id", String(data.id));
      item.appendChild(link("/console/incidents/" + data.id, data.title));
      item.appendChild(document.createTextNode(" · " + data.severity));
    }
    var empty = document.getElementById("live-empty");
    if (empty) { empty.remove(); }
    feed.insertBefore(item, feed.firstChild);
    while (feed.children.length > MAX_ITEMS) { feed.removeChild(feed.lastChild); }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var feed = document.getElementById("live-feed");
    var state = document.getElementById("live-state");
    if (!feed || !window.EventSource) { return; }
    var source = new EventSource(feed.getAttribute("data-stream"));
    function on(kind) {
      source.addEventListener(kind, function (event) {
        try { add(feed, kind, JSON.parse(event.data)); } catch (e) { /* a torn event */ }
      });
    }
    on("alert");
    on("incident");
    source.addEventListener("open", function () {
      if (state) { state.textContent = "live"; state.setAttribute("data-state", "open"); }
    });
    source.addEventListener("error", function () {
      if (state) { state.textContent = "reconnecting"; state.setAttribute("data-state", "error"); }
    });
  });
}());
