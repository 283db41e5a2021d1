// Autosave of the questionnaire's answers (templates/assessments/questionnaire_capability.html).
//
// Every answer form saves itself: debounced while typing, at once on a change, on leaving a field,
// when the page is hidden and when it is left (fetch keepalive, or sendBeacon). Invariants:
// - "acked" is what the server last acknowledged for the form; the indicator says "Saved" only
//   while the fields hold exactly that, and the page warns before unloading while they do not.
// - What was typed is never cleared: a refused, failed or session-less save leaves the fields alone.
// - A save that failed for a passing reason (network, server error, database busy: 5xx) is retried
//   with backoff; one refused for an ended session is retried every few seconds and whenever the page
//   comes back into view, so logging in again in another tab saves the pending text without retyping.
// The server answers with the state fragment (ids state-N, version-N, err-N-*, questionnaire-nav) and
// a status code: 200 saved, 409 conflict, 422 invalid, 400 out of date, 403 refused, 401 or a
// redirect when signed out, 503 database busy or down.
(function () {
  "use strict";

  var DEBOUNCE_MS = 800;
  var FAILED_DELAYS = [2, 4, 8, 16, 30, 60]; // seconds
  var ENDED_DELAY = 5;
  var ENDED_SLOW_DELAY = 30; // after a few minutes signed out
  var ENDED_FAST_ATTEMPTS = 24;
  var KEEPALIVE_LIMIT = 60000; // bytes: browsers allow 64 KiB of keepalive bodies in flight

  var texts = {};
  var controllers = [];

  function serialize(form, initial) {
    // The answer's own fields (not the token, version or buttons), as the server or the person holds them.
    var parts = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled) return;
      var type = field.type;
      if (type === "hidden" || type === "submit" || type === "button" || type === "reset" || type === "file") return;
      if (type === "radio" || type === "checkbox") {
        if (initial ? field.defaultChecked : field.checked) parts.push(field.name + "=" + field.value);
      } else {
        parts.push(field.name + "=" + (initial ? field.defaultValue : field.value));
      }
    });
    return parts.join("\u0000");
  }

  function readCookie(name) {
    var match = document.cookie.match(new RegExp("(?:^|;\\s*)" + name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : null;
  }

  function csrfToken(form) {
    // The cookie, not the token rendered with the page: logging in again (another tab) rotates it.
    var cookie = texts.csrfCookie ? readCookie(texts.csrfCookie) : null;
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    return cookie || (field ? field.value : "");
  }

  function swap(html) {
    // Replace each element of the fragment marked hx-swap-oob by the page's element of the same id.
    var template = document.createElement("template");
    template.innerHTML = html;
    var found = false;
    template.content.querySelectorAll("[hx-swap-oob]").forEach(function (element) {
      var current = element.id && document.getElementById(element.id);
      element.removeAttribute("hx-swap-oob");
      if (current) {
        current.replaceWith(element);
        found = true;
      }
    });
    return found;
  }

  function markInvalid(form) {
    // A field whose error message (named in its aria-describedby) has text is marked invalid for screen readers.
    form.querySelectorAll("[aria-describedby]").forEach(function (field) {
      var invalid = field
        .getAttribute("aria-describedby")
        .split(/\s+/)
        .some(function (id) {
          var message = document.getElementById(id);
          return message && message.classList.contains("invalid-feedback") && message.textContent.trim() !== "";
        });
      if (invalid) field.setAttribute("aria-invalid", "true");
      else field.removeAttribute("aria-invalid");
    });
  }

  function Autosave(form) {
    this.form = form;
    this.acked = serialize(form, true);
    this.status = "clean"; // clean | dirty | saving | conflict | refused | failed | ended
    this.inflight = false;
    this.again = false;
    this.submitter = null; // a button pressed ("Save mine instead"), resent on retry
    this.debounce = null;
    this.retryTimer = null;
    this.ticker = null;
    this.attempts = 0;
    this.rememberClean();
  }

  Autosave.prototype.stateElement = function () {
    return this.form.querySelector(".save-state");
  };

  Autosave.prototype.rememberClean = function () {
    var state = this.stateElement();
    this.cleanState = state ? { className: state.className, html: state.innerHTML } : null;
  };

  Autosave.prototype.say = function (kind, nodes) {
    var state = this.stateElement();
    if (!state) return;
    state.className = "save-state" + (kind ? " " + kind : "");
    state.replaceChildren.apply(state, nodes);
  };

  Autosave.prototype.unsaved = function () {
    return this.inflight || serialize(this.form) !== this.acked;
  };

  Autosave.prototype.edited = function () {
    if (this.status === "conflict") return; // the conflict box stays until the person chooses
    if (serialize(this.form) === this.acked && !this.inflight) {
      this.restoreClean();
      return;
    }
    if (!this.inflight && this.status !== "failed" && this.status !== "ended") {
      this.status = "dirty";
      this.say("pending", [texts.unsaved]);
    }
    clearTimeout(this.debounce);
    var self = this;
    this.debounce = setTimeout(function () {
      self.save();
    }, DEBOUNCE_MS);
  };

  Autosave.prototype.restoreClean = function () {
    // Back to what the server holds (typed, then undone): nothing to send, no error to show.
    clearTimeout(this.debounce);
    this.stopRetry();
    this.status = "clean";
    this.attempts = 0;
    var state = this.stateElement();
    if (state && this.cleanState) {
      state.className = this.cleanState.className;
      state.innerHTML = this.cleanState.html;
    }
    this.form.querySelectorAll(".invalid-feedback[id^='err-']").forEach(function (message) {
      message.textContent = "";
    });
    markInvalid(this.form);
  };

  Autosave.prototype.stopRetry = function () {
    clearTimeout(this.retryTimer);
    clearInterval(this.ticker);
    this.retryTimer = this.ticker = null;
  };

  Autosave.prototype.body = function (submitter) {
    var data = new FormData(this.form);
    if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    data.set("csrfmiddlewaretoken", csrfToken(this.form));
    return data;
  };

  Autosave.prototype.save = function (options) {
    options = options || {};
    clearTimeout(this.debounce);
    var submitter = options.submitter || null;
    if (this.inflight) {
      // One request at a time per answer: the next one carries the version the server returns.
      this.again = true;
      if (submitter) this.submitter = submitter;
      return;
    }
    if (!submitter && options.retry && this.submitter) submitter = this.submitter;
    var values = serialize(this.form);
    if (!submitter) {
      if (this.status === "conflict") return; // only "Save mine instead" (or Save) overwrites
      if (values === this.acked) {
        if (this.status !== "clean") this.restoreClean();
        return;
      }
    }
    this.stopRetry();
    this.submitter = submitter;
    this.inflight = true;
    this.status = "saving";
    this.say("pending", [texts.saving]);
    var self = this;
    fetch(this.form.action, {
      method: "POST",
      body: this.body(submitter),
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken(this.form) },
      credentials: "same-origin",
      redirect: "manual",
    })
      .then(function (response) {
        return response.text().then(function (text) {
          self.settle(response, text, values);
        });
      })
      .catch(function () {
        self.failed(texts.offline);
      })
      .then(function () {
        self.inflight = false;
        // After a failure the retry timer sends again (with whatever the fields hold by then).
        if (self.status === "failed" || self.status === "ended") self.again = false;
        if (self.again) {
          self.again = false;
          var next = self.submitter;
          self.save({ submitter: next && next.isConnected ? next : null });
        }
      });
  };

  Autosave.prototype.settle = function (response, text, values) {
    var status = response.status;
    if (response.type === "opaqueredirect" || status === 401 || status === 204) {
      // Signed out (a redirect to log in, or to two-step verification): keep everything, try again later.
      this.ended();
      return;
    }
    if (status === 403 && !swap(text)) {
      // Not our fragment: the CSRF check of a session that ended and began again elsewhere.
      this.ended();
      return;
    }
    if (status >= 500) {
      this.failed(status === 503 ? texts.unavailable : texts.failed);
      return;
    }
    if (status !== 403) swap(text);
    markInvalid(this.form);
    this.attempts = 0;
    this.submitter = null;
    if (status === 200) {
      this.acked = values;
      this.rememberClean();
      if (serialize(this.form) === values) {
        this.status = "clean";
      } else {
        this.status = "dirty";
        this.say("pending", [texts.unsaved]);
        this.again = true;
      }
      retryWaiting(this);
    } else if (status === 409) {
      this.status = "conflict";
    } else {
      this.status = "refused"; // 422 invalid, 400 out of date, 403 closed: the fragment says why
    }
  };

  Autosave.prototype.retryButton = function () {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-danger ms-2 autosave-retry";
    button.textContent = texts.retry;
    return button;
  };

  Autosave.prototype.failed = function (reason) {
    this.status = "failed";
    var delay = FAILED_DELAYS[Math.min(this.attempts, FAILED_DELAYS.length - 1)];
    this.attempts += 1;
    var countdown = document.createElement("span");
    // The live region announces the message once, not every second of the countdown.
    countdown.setAttribute("aria-live", "off");
    countdown.className = "autosave-countdown";
    this.say("error", [reason, " ", countdown, this.retryButton()]);
    this.scheduleRetry(delay, countdown);
  };

  Autosave.prototype.ended = function () {
    this.status = "ended";
    var delay = this.attempts < ENDED_FAST_ATTEMPTS ? ENDED_DELAY : ENDED_SLOW_DELAY;
    this.attempts += 1;
    var login = document.createElement("a");
    login.href = texts.loginUrl;
    login.target = "_blank";
    login.rel = "noopener";
    login.className = "ms-2";
    login.textContent = texts.login;
    this.say("error", [texts.ended, login, this.retryButton()]);
    this.scheduleRetry(delay, null);
  };

  Autosave.prototype.scheduleRetry = function (seconds, countdown) {
    this.stopRetry();
    var self = this;
    var due = Date.now() + seconds * 1000;
    function tick() {
      var left = Math.max(0, Math.ceil((due - Date.now()) / 1000));
      if (countdown) countdown.textContent = texts.retrying.replace("{seconds}", left);
    }
    tick();
    if (countdown) this.ticker = setInterval(tick, 1000);
    this.retryTimer = setTimeout(function () {
      self.retryNow();
    }, seconds * 1000);
  };

  Autosave.prototype.retryNow = function () {
    this.stopRetry();
    this.save({ retry: true });
  };

  Autosave.prototype.waiting = function () {
    return (this.status === "failed" || this.status === "ended") && !this.inflight;
  };

  Autosave.prototype.flush = function () {
    // The page is being left: send what is not acknowledged with a request that outlives it.
    if (this.status === "conflict" || serialize(this.form) === this.acked) return;
    var body = this.body(this.submitter);
    var size = 0;
    body.forEach(function (value) {
      size += String(value).length * 3;
    });
    if (size < KEEPALIVE_LIMIT) {
      fetch(this.form.action, {
        method: "POST",
        body: body,
        headers: { "HX-Request": "true", "X-CSRFToken": csrfToken(this.form) },
        credentials: "same-origin",
        keepalive: true,
      }).catch(function () {});
    } else if (navigator.sendBeacon) {
      navigator.sendBeacon(this.form.action, body);
    }
  };

  function retryWaiting(except) {
    controllers.forEach(function (controller) {
      if (controller !== except && controller.waiting()) controller.retryNow();
    });
  }

  function controllerOf(element) {
    var form = element && element.closest ? element.closest("form[data-autosave]") : null;
    if (!form) return null;
    for (var i = 0; i < controllers.length; i++) if (controllers[i].form === form) return controllers[i];
    return null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("autosave-texts");
    if (!source) return;
    texts = Object.assign({}, source.dataset);
    document.querySelectorAll("form[data-autosave]").forEach(function (form) {
      var controller = new Autosave(form);
      controllers.push(controller);
      // Values the browser restored (reload, back) differ from the server's: save them.
      if (controller.unsaved()) controller.edited();
    });

    document.addEventListener("input", function (event) {
      var controller = controllerOf(event.target);
      if (controller) controller.edited();
    });
    document.addEventListener("change", function (event) {
      var controller = controllerOf(event.target);
      if (controller) controller.save();
    });
    document.addEventListener("focusout", function (event) {
      var controller = controllerOf(event.target);
      if (controller && event.target.tagName === "TEXTAREA") controller.save();
    });
    document.addEventListener("submit", function (event) {
      var controller = controllerOf(event.target);
      if (!controller) return;
      event.preventDefault();
      controller.save({ submitter: event.submitter || { name: "", value: "" } });
    });
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest(".autosave-retry");
      var controller = button && controllerOf(button);
      if (controller) controller.retryNow();
    });

    // Coming back (from logging in in another tab, or online again): try the waiting saves at once.
    window.addEventListener("focus", function () {
      retryWaiting(null);
    });
    window.addEventListener("online", function () {
      retryWaiting(null);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") retryWaiting(null);
      else
        controllers.forEach(function (controller) {
          if (!controller.inflight && controller.status !== "ended") controller.save();
        });
    });

    window.addEventListener("beforeunload", function (event) {
      if (!controllers.some(function (controller) { return controller.unsaved(); })) return;
      event.preventDefault();
      event.returnValue = texts.leave;
      return texts.leave;
    });
    window.addEventListener("pagehide", function () {
      controllers.forEach(function (controller) {
        controller.flush();
      });
    });
  });
})();
