// Site-wide behaviour. Pages work without script; with it, answers save as you go (htmx).
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

  function stateOf(form) {
    return form.querySelector(".save-state");
  }

  function say(form, text, kind) {
    var state = stateOf(form);
    if (!state) return;
    state.className = "save-state" + (kind ? " " + kind : "");
    state.textContent = text;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.classList && form.classList.contains("answer-form")) {
      say(form, form.closest("[data-saving]") ? form.closest("[data-saving]").dataset.saving : "…", "");
    }
  });

  function failed(event) {
    var form = event.detail.elt;
    if (form.classList && form.classList.contains("answer-form")) {
      var main = document.getElementById("main");
      var ended = event.detail.xhr && event.detail.xhr.status === 401;
      say(form, ended ? main.dataset.sessionEnded : main.dataset.saveFailed, "error");
    }
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", failed);

  // A field whose error message (named in its aria-describedby) has text is marked invalid for screen readers.
  function markInvalid(event) {
    var form = event.detail.elt;
    if (!(form.classList && form.classList.contains("answer-form"))) return;
    form.querySelectorAll("[aria-describedby]").forEach(function (field) {
      var invalid = field.getAttribute("aria-describedby").split(/\s+/).some(function (id) {
        var message = document.getElementById(id);
        return message && message.classList.contains("invalid-feedback") && message.textContent.trim() !== "";
      });
      if (invalid) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
  }
  document.addEventListener("htmx:afterRequest", markInvalid);
  document.addEventListener("htmx:afterSettle", markInvalid);
})();
