// Shieldwall console: the wall-display toggle and a few keyboard shortcuts. Nothing else.
(function () {
  "use strict";
  var root = document.documentElement;
  function apply(on) {
    root.classList.toggle("wall", on);
    var button = document.getElementById("wall-toggle");
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  try { apply(window.localStorage.getItem("sw-wall") === "1"); } catch (e) { apply(false); }
  document.addEventListener("DOMContentLoaded", function () {
    apply(root.classList.contains("wall"));
    var button = document.getElementById("wall-toggle");
    if (!button) { return; }
    button.addEventListener("click", function () {
      var on = !root.classList.contains("wall");
      apply(on);
      try { window.localStorage.setItem("sw-wall", on ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  });
  // "/" focuses the page's search field, as in many consoles.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
    if (event.key === "/" && !typing) {
      var search = document.querySelector("input[type=search]");
      if (search) { event.preventDefault(); search.focus(); }
    }
  });
}());
