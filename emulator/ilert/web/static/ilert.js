/* fake ilert's pages: keep the changing parts current, count time, tabs, menus and dialogs.
 *
 * A live page's <main> names where to ask for changes (`data-updates`) and the version it shows
 * (`data-version`). Every second the page asks; the server answers 204 while nothing changed, or
 * the version and the HTML of each `data-region`. Everything else here is a convenience: every
 * form is a plain POST that works without this script.
 */
(function () {
  "use strict";

  var root = document.querySelector("main[data-updates]");
  var FAST = 1000;
  var SLOW = 5000;
  var timer = null;
  var polling = false;

  // --- time ---------------------------------------------------------------------------------

  function unit(count, word) {
    return count + " " + word + (count === 1 ? "" : "s");
  }

  /* The same words as `pages.duration_words` on the server. */
  function words(seconds) {
    var whole = Math.max(0, Math.floor(seconds));
    if (whole < 60) {
      return unit(whole, "second");
    }
    var minutes = Math.floor(whole / 60);
    var secs = whole % 60;
    if (minutes < 60) {
      return unit(minutes, "minute") + (secs ? " and " + unit(secs, "second") : "");
    }
    var hours = Math.floor(minutes / 60);
    minutes = minutes % 60;
    if (hours < 24) {
      return unit(hours, "hour") + (minutes ? " and " + unit(minutes, "minute") : "");
    }
    var days = Math.floor(hours / 24);
    hours = hours % 24;
    return unit(days, "day") + (hours ? " and " + unit(hours, "hour") : "");
  }

  function stampClocks(scope) {
    var now = Date.now();
    scope.querySelectorAll("[data-clock]").forEach(function (element) {
      element.setAttribute("data-drawn", String(now));
    });
  }

  /* Only a running clock is counted here; a virtual one stands still until it is advanced, and
   * then the server draws the page again. */
  function tick() {
    if (!root || root.getAttribute("data-ticking") !== "true") {
      return;
    }
    document.querySelectorAll("[data-clock]").forEach(function (element) {
      var drawn = Number(element.getAttribute("data-drawn") || Date.now());
      var now = Number(element.getAttribute("data-now")) + (Date.now() - drawn) / 1000;
      var at = Number(element.getAttribute("data-at"));
      if (element.getAttribute("data-clock") === "until") {
        element.textContent = at > now ? "in " + words(at - now) : "any moment now";
      } else {
        element.textContent = words(now - at);
      }
    });
  }

  // --- live regions -------------------------------------------------------------------------

  function apply(parts) {
    var focused = document.activeElement;
    var focusId = focused && focused.id;
    Object.keys(parts || {}).forEach(function (name) {
      var region = document.querySelector('[data-region="' + name + '"]');
      if (!region) {
        return;
      }
      region.innerHTML = parts[name];
      stampClocks(region);
      var titled = region.querySelector("[data-title]");
      if (titled) {
        document.title = titled.getAttribute("data-title");
      }
    });
    // A region drawn again keeps the keyboard where it was, when the element is still there.
    if (focusId && document.activeElement !== focused) {
      var again = document.getElementById(focusId);
      if (again) {
        again.focus();
      }
    }
  }

  function say(text) {
    var notice = document.getElementById("live-notice");
    if (!notice) {
      notice = document.createElement("div");
      notice.id = "live-notice";
      notice.className = "flash flash-error";
      notice.setAttribute("role", "alert");
      root.insertBefore(notice, root.firstChild);
    }
    notice.textContent = text;
  }

  function schedule(delay) {
    clearTimeout(timer);
    timer = setTimeout(poll, delay);
  }

  function poll() {
    if (polling) {
      return;
    }
    polling = true;
    var url = new URL(root.getAttribute("data-updates"), window.location.href);
    url.searchParams.set("v", root.getAttribute("data-version"));
    fetch(url, { headers: { "X-Fake-Ilert-Page": "1" }, cache: "no-store" })
      .then(function (response) {
        return response.status === 200 ? response.json() : null;
      })
      .then(function (body) {
        if (!body) {
          return;
        }
        if (body.loggedOut) {
          var here = window.location.pathname + window.location.search;
          window.location.href = "/login?next=" + encodeURIComponent(here);
          return;
        }
        if (body.gone) {
          say(body.gone);
          return;
        }
        root.setAttribute("data-version", body.version);
        apply(body.html);
      })
      .catch(function () {
        /* fake ilert may be restarting: the next poll tries again. */
      })
      .then(function () {
        polling = false;
        schedule(document.hidden ? SLOW : FAST);
      });
  }

  // --- tabs ---------------------------------------------------------------------------------

  function selectTab(tab, focus) {
    var list = tab.closest("[role=tablist]");
    list.querySelectorAll("[role=tab]").forEach(function (other) {
      var chosen = other === tab;
      other.setAttribute("aria-selected", chosen ? "true" : "false");
      other.setAttribute("tabindex", chosen ? "0" : "-1");
      var panel = document.getElementById(other.getAttribute("aria-controls"));
      if (panel) {
        panel.hidden = !chosen;
      }
    });
    if (focus) {
      tab.focus();
    }
    var url = new URL(tab.href, window.location.href);
    window.history.replaceState(null, "", url.pathname + url.search);
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[role=tab]");
    if (tab) {
      event.preventDefault();
      selectTab(tab, false);
    }
  });

  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    if (!tab) {
      return;
    }
    var tabs = Array.prototype.slice.call(
      tab.closest("[role=tablist]").querySelectorAll("[role=tab]")
    );
    var index = tabs.indexOf(tab);
    var next = null;
    if (event.key === "ArrowRight") {
      next = tabs[(index + 1) % tabs.length];
    } else if (event.key === "ArrowLeft") {
      next = tabs[(index - 1 + tabs.length) % tabs.length];
    } else if (event.key === "Home") {
      next = tabs[0];
    } else if (event.key === "End") {
      next = tabs[tabs.length - 1];
    } else if (event.key === " ") {
      next = tab;
    }
    if (next) {
      event.preventDefault();
      selectTab(next, true);
    }
  });

  // --- menus (the gear, the user) -------------------------------------------------------------

  function closeMenus(except) {
    document.querySelectorAll("[data-menu][aria-expanded=true]").forEach(function (button) {
      if (button !== except) {
        button.setAttribute("aria-expanded", "false");
        document.getElementById(button.getAttribute("aria-controls")).hidden = true;
      }
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-menu]");
    closeMenus(button);
    if (!button) {
      return;
    }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.hidden = !open;
    if (open) {
      var first = menu.querySelector("a, button");
      if (first && event.detail === 0) {
        first.focus(); // opened by keyboard: into the menu
      }
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("[data-menu][aria-expanded=true]");
    if (open) {
      closeMenus(null);
      open.focus();
    }
  });

  // --- dialogs --------------------------------------------------------------------------------

  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-open-dialog"));
      if (dialog && !dialog.open) {
        dialog.showModal();
        var first = dialog.querySelector("input:not([type=hidden]), select, textarea");
        if (first) {
          first.focus();
        }
      }
      return;
    }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) {
      closer.closest("dialog").close();
    }
  });

  // A button that sends a form says so while the answer is on its way (and is not sent twice).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.getAttribute("aria-busy") === "true") {
      event.preventDefault();
      return;
    }
    form.setAttribute("aria-busy", "true");
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[aria-busy]").forEach(function (form) {
      form.removeAttribute("aria-busy");
    });
  });

  // --- start ----------------------------------------------------------------------------------

  if (root) {
    stampClocks(document);
    setInterval(tick, 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        schedule(0);
      }
    });
    schedule(FAST);
  }
})();
