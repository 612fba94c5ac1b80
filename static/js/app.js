// When an htmx request fails (the server answers 5xx, or cannot be reached at all),
// htmx swaps nothing: say so where the person is looking, instead of a silent "saving…".
(function () {
  "use strict";

  function message(event) {
    if (event.type === "htmx:sendError") {
      return "Could not reach careermap: your last change was not saved. Check your connection and try again.";
    }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status === 503) {
      return "careermap is briefly unavailable: your last change was not saved. Try again in a moment.";
    }
    return "Something went wrong on our side (" + status + "): your last change was not saved. Try again.";
  }

  function failed(event) {
    var text = message(event);
    var elt = event.detail.elt;
    // An answer on the assessment form: its own saved-state line says it.
    var state = elt && elt.querySelector ? elt.querySelector(".saved-state") : null;
    if (state) {
      state.textContent = "Not saved. " + text;
      state.className = "saved-state failed";
      // The page's polite live region names the answer; the banner below (an alert)
      // says why. A successful save fills the region from the server (out of band).
      var live = document.getElementById("autosave-status");
      var legend = elt.querySelector("legend");
      if (live) {
        live.textContent = "Not saved: " + (legend ? legend.textContent.trim() : "your answer") + ".";
      }
    }
    var banner = document.getElementById("request-error");
    if (banner) {
      banner.textContent = text;
      banner.hidden = false;
    }
  }

  function recovered() {
    var banner = document.getElementById("request-error");
    if (banner && !banner.hidden) {
      banner.hidden = true;
      banner.textContent = "";
    }
  }

  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:responseError", function (event) {
    // 4xx answers carry their own message in the swapped content; 5xx do not.
    if (event.detail.xhr && event.detail.xhr.status >= 500) {
      failed(event);
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.successful) {
      recovered();
    }
  });
})();
