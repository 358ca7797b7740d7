/* Fake Slack's web client: keep the page current by short polling, and send what a person does.
 *
 * Every few hundred milliseconds the page asks `…/updates` with the versions it shows; the server
 * answers 204 when nothing changed, or the HTML of the parts that did. Forms marked `data-ajax`
 * are posted in the background (they work without this script too: the server then redirects).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-updates]");
  if (!root) {
    return;
  }
  var versions = JSON.parse(root.getAttribute("data-versions"));
  var notice = document.getElementById("notice");
  var FAST = 700;
  var SLOW = 5000;
  var timer = null;
  var polling = false;

  function say(text) {
    notice.textContent = text || "";
    notice.hidden = !text;
  }

  function messages() {
    return document.getElementById("region-messages");
  }

  function atBottom(element) {
    return element.scrollHeight - element.scrollTop - element.clientHeight < 60;
  }

  function toBottom() {
    var element = messages();
    element.scrollTop = element.scrollHeight;
  }

  var FIELDS = "input:not([type=hidden]), select, textarea";

  /* A modal takes the focus when it opens, and again when an app turns a modal that only said
     it was loading into one with fields (views.update after a quick ack). */
  function focusModal(wasOpen, hadFields) {
    var dialog = document.querySelector("#region-modal [role=dialog]");
    var first = dialog && dialog.querySelector(FIELDS);
    if (dialog && (!wasOpen || (first && !hadFields))) {
      (first || dialog.querySelector("button")).focus();
    } else if (!dialog && wasOpen) {
      document.getElementById("composer").focus();
    }
  }

  function apply(parts) {
    Object.keys(parts || {}).forEach(function (name) {
      var element = document.getElementById("region-" + name);
      if (!element) {
        return;
      }
      if (name === "messages") {
        var stick = atBottom(element);
        element.innerHTML = parts[name];
        if (stick) {
          toBottom();
        }
      } else if (name === "modal") {
        var wasOpen = Boolean(element.querySelector("[role=dialog]"));
        var hadFields = Boolean(element.querySelector("[role=dialog] :is(" + FIELDS + ")"));
        element.innerHTML = parts[name];
        focusModal(wasOpen, hadFields);
      } else {
        element.innerHTML = parts[name];
      }
    });
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (polling) {
      schedule(FAST);
      return;
    }
    polling = true;
    var url = new URL(root.getAttribute("data-updates"), window.location.href);
    Object.keys(versions).forEach(function (key) {
      url.searchParams.set(key, versions[key]);
    });
    fetch(url, { headers: { "X-Fake-Slack-Client": "1" }, cache: "no-store" })
      .then(function (response) {
        return response.status === 200 ? response.json() : null;
      })
      .then(function (body) {
        if (body && body.redirect) {
          window.location.href = body.redirect;
          return;
        }
        if (body && body.versions) {
          Object.assign(versions, body.versions);
          apply(body.html);
        }
      })
      .catch(function () {
        /* Fake Slack may be restarting: the next poll tries again. */
      })
      .then(function () {
        polling = false;
        schedule(document.hidden ? SLOW : FAST);
      });
  }

  function setBusy(form, busy) {
    if (busy) {
      form.setAttribute("aria-busy", "true");
    } else {
      form.removeAttribute("aria-busy");
    }
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("form[data-ajax]")) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") {
      return;
    }
    var submitter = event.submitter;
    var action = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    var data = new FormData(form);
    setBusy(form, true);
    fetch(action, { method: "POST", body: data, headers: { "X-Fake-Slack-Client": "1" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        if (body.redirect) {
          window.location.href = body.redirect;
          return;
        }
        say(body.notice);
        if (body.html) {
          apply(body.html);
        }
        if (form.hasAttribute("data-composer") && body.ok) {
          form.reset();
        }
      })
      .catch(function () {
        say("Fake Slack did not answer. Is it still running?");
      })
      .then(function () {
        setBusy(form, false);
        schedule(30);
      });
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches("form[data-autosubmit] select") && select.value) {
      select.form.requestSubmit();
    }
  });

  // An external select's type-ahead: what the app offers (block_suggestion) for the text so far.
  var suggesting = null;
  function suggest(input) {
    var form = input.form;
    var list = document.getElementById(input.getAttribute("list"));
    var url = new URL(form.getAttribute("data-suggest"), window.location.href);
    url.searchParams.set("query", input.value);
    fetch(url, { headers: { "X-Fake-Slack-Client": "1" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        list.replaceChildren.apply(list, body.options.map(function (label) {
          var option = document.createElement("option");
          option.value = label;
          return option;
        }));
        say(body.notice);
      })
      .catch(function () {
        say("Fake Slack did not answer. Is it still running?");
      });
  }

  ["input", "focusin"].forEach(function (kind) {
    document.addEventListener(kind, function (event) {
      var input = event.target;
      if (!input.matches || !input.matches("form[data-suggest] input[list]")) {
        return;
      }
      clearTimeout(suggesting);
      suggesting = setTimeout(function () {
        suggest(input);
      }, 150);
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var close = document.querySelector("#region-modal [data-close]");
      if (close) {
        close.click();
      }
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      schedule(0);
    }
  });

  toBottom();
  focusModal(false);
  schedule(FAST);
})();
