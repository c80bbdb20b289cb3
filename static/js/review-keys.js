// The review page's keyboard shortcuts: P previous standard, N next, U next not rated. They act
// only outside text fields and without modifier keys, so typing a rationale is never disturbed.
// After an htmx save the focus goes to the panel's message; a refused save says so.
(function () {
  "use strict";
  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (typing(event.target)) { return; }
    var link = document.querySelector('a[data-shortcut="' + event.key.toLowerCase() + '"]');
    if (link) {
      event.preventDefault();
      window.location.assign(link.href);
    }
  });
  document.documentElement.dataset.reviewKeys = "ready";  // the keys work from now on
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target && document.getElementById("rating-panel");
    if (!target) { return; }
    var focus = target.querySelector("[data-focus-on-load], [role=alert]");
    if (focus) {
      if (!focus.hasAttribute("tabindex")) { focus.setAttribute("tabindex", "-1"); }
      focus.focus();
    }
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var panel = document.getElementById("rating-panel");
    if (!panel) { return; }
    var note = document.createElement("p");
    note.className = "form-errors";
    note.setAttribute("role", "alert");
    note.textContent = panel.dataset.failed || "The rating could not be saved. Reload the page.";
    panel.prepend(note);
  });
})();
