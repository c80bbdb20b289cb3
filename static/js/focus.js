// After a save or an upload the page reloads with a message: the focus goes to that message
// (or to the element marked data-focus-on-load), not back to the top of the page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var target = document.querySelector("[data-focus-on-load]");
    if (target && !window.location.hash) { target.focus({ preventScroll: false }); }
  });
})();
