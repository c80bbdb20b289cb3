// Report rows poll their status while the report is pending (htmx). htmx swaps nothing on an
// error answer and would poll on forever: a row the server no longer shows (access withdrawn,
// 4xx) says so and stops; a server error (5xx) lets the polling try again.
(function () {
  "use strict";
  document.body.addEventListener("htmx:responseError", function (event) {
    var row = event.detail.elt;
    var status = event.detail.xhr.status;
    if (!row.classList || !row.classList.contains("report-row") || status >= 500) { return; }
    var note = document.createElement("li");
    note.className = "report-row muted";
    note.setAttribute("role", "status");
    note.textContent = "This report's status is no longer available to you; reload the page.";
    row.replaceWith(note);  // out of the page, so htmx stops polling it
  });
})();
