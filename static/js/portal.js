// Site-wide behaviour. Pages work without script. The questionnaire's autosave is static/js/autosave.js.
(function () {
  "use strict";

  // Swap 4xx fragments too: 409 (conflict) and 422 (invalid) carry the message to show.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      htmx.config.responseHandling = [
        { code: "204", swap: false },
        { code: "401", swap: false, error: true },
        { code: "[23]..", swap: true },
        { code: "4..", swap: true, error: false },
        { code: "...", swap: false, error: true },
      ];
    }
  });

  // Forms that ask before they act: <form data-confirm="Question?">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();
