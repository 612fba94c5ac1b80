// The assessment form (templates/assessments/assess.html): a skill's folded levels,
// fetched into its <details> when opened, the focus kept in place when an autosave
// swaps the skill's fieldset, and a refused submit's error summary focused.
(function () {
  "use strict";

  // --- Autosave ------------------------------------------------------------------------
  // Each skill's fieldset posts its answer when it changes: to the form's own action,
  // into its own place (the form's hx-target, hx-swap and hx-sync). The fieldsets carry
  // no htmx attributes of their own, as the 164-skill catalogue would repeat them 164
  // times: htmx finds them by this extension's selector, and each gets its hx-post and
  // hx-trigger just before htmx reads them (on the page as loaded, and in every part an
  // htmx request swaps in). Without JavaScript the form's "Save draft" posts them all.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.htmx) {
      htmx.defineExtension("assess-autosave", {
        getSelectors: function () {
          return ["#assess-form fieldset.skill"];
        },
      });
    }
  });
  document.addEventListener("htmx:beforeProcessNode", function (event) {
    var fieldset = event.target;
    var form = fieldset.matches && fieldset.matches("fieldset.skill") && fieldset.closest("form");
    if (form && !fieldset.hasAttribute("hx-post")) {
      fieldset.setAttribute("hx-post", form.getAttribute("action"));
      fieldset.setAttribute("hx-trigger", "change");
    }
  });

  // A skill not answered yet has no state line (assess.css says "Not answered yet" in
  // its place): its first answer's request gives it one, for "saving…" and for a failure
  // (static/js/app.js writes it there). The answer's fieldset, swapped in, brings its own.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var fieldset = event.detail.elt;
    if (fieldset.matches && fieldset.matches("fieldset.skill") && !fieldset.querySelector(".saved-state")) {
      var line = document.createElement("p");
      line.className = "saved-state";
      line.textContent = "Not answered yet";
      fieldset.appendChild(line);
    }
  });

  // --- The other levels, on demand -------------------------------------------------------
  // Without JavaScript the <details> holds a link to the levels' own page. Opened, the
  // same URL's htmx region (the folded levels alone) takes the link's place, in a polite
  // live region that is busy while it loads.
  function load(details) {
    var link = details.querySelector("a[href]");
    if (!link || details.hasAttribute("data-loading")) {
      return;
    }
    var slot = link.parentNode;
    details.setAttribute("data-loading", "");
    slot.setAttribute("aria-live", "polite");
    slot.setAttribute("aria-busy", "true");
    slot.textContent = "Loading…";
    fetch(link.href, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        slot.innerHTML = html;
      })
      .catch(function () {
        // The link still leads to the levels' own page.
        slot.textContent = "Could not load them here: ";
        slot.appendChild(link);
        details.removeAttribute("data-loading");
      })
      .finally(function () {
        slot.setAttribute("aria-busy", "false");
      });
  }

  // "toggle" does not bubble: caught on its way down.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (details.tagName === "DETAILS" && details.open && details.closest("fieldset.skill")) {
        load(details);
      }
    },
    true
  );

  // --- The focus across an autosave ------------------------------------------------------
  // Each answer's save swaps its whole fieldset. htmx puts the focus back on an element
  // with an id (the evidence); a radio, a checkbox, a link or a summary has none, and the
  // focus would fall to
  // <body>: the keyboard's place in the form lost. So note what had it, and an open
  // <details>, before the swap, and give them back to the new fieldset after it.
  var kept = null;

  function selector(fieldset, elt) {
    if (!elt || !fieldset.contains(elt)) {
      return "";
    }
    if (elt.type === "radio" || elt.type === "checkbox") {
      return 'input[name="' + CSS.escape(elt.name) + '"][value="' + CSS.escape(elt.value) + '"]';
    }
    if (elt.id) {
      return "#" + CSS.escape(elt.id);
    }
    if (elt.name) {
      // A field without an id (an unanswered skill's note has none).
      return elt.tagName.toLowerCase() + '[name="' + CSS.escape(elt.name) + '"]';
    }
    if (elt.tagName === "A" && elt.hasAttribute("href")) {
      return 'a[href="' + CSS.escape(elt.getAttribute("href")) + '"]';
    }
    return elt.closest("details") ? "summary" : "";
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    kept = null;
    if (target && target.matches && target.matches("fieldset.skill") && target.id) {
      var details = target.querySelector("details");
      kept = {
        id: target.id,
        focus: selector(target, document.activeElement),
        open: Boolean(details && details.open),
      };
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    focusSummary(event.detail.target);
    var was = kept;
    var fieldset = was && document.getElementById(was.id);
    kept = null;
    if (!fieldset) {
      return;
    }
    var details = fieldset.querySelector("details");
    if (was.open && details) {
      details.open = true; // its "toggle" loads the levels folded now
    }
    var active = document.activeElement;
    if (was.focus && (!active || active === document.body)) {
      var elt = fieldset.querySelector(was.focus);
      if (elt) {
        elt.focus({ preventScroll: true });
      }
    }
  });

  // --- A refused submit ------------------------------------------------------------------
  // The form comes back with a summary of what to fix at its top: it takes the focus (a
  // screen reader reads it out), and each of its links moves the focus to the field it
  // names, where a plain fragment link would only scroll.
  // `root`: what htmx swapped (only the form region brings a summary; an autosave's
  // fieldset leaves the focus where it is); null: the page as loaded.
  function focusSummary(root) {
    var summary = document.getElementById("error-summary");
    if (summary && (!root || root.id === "assess")) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      focusSummary(null);
    });
  } else {
    focusSummary(null);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#error-summary a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (field) {
      event.preventDefault();
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  });
})();
