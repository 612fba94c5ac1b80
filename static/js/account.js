// The account page: offer the browser's own time zone when none is chosen yet.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var hint = document.querySelector("[data-browser-zone]");
    var select = document.getElementById("id_time_zone");
    if (!hint || !select || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === zone; });
    if (!zone || !known || select.value === zone) return;
    hint.textContent = "Your browser says " + zone + ". ";
    var use = document.createElement("button");
    use.type = "button";
    use.className = "quiet";
    use.textContent = "Use " + zone;
    use.addEventListener("click", function () { select.value = zone; select.focus(); });
    hint.appendChild(use);
    hint.hidden = false;
  });
})();
