/* The applicant's pages: ask before withdrawing, and warn before sending more files than one request may
   carry. Everything works without this file; it only saves a round trip. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
  function tooMany(form) {
    var inputs = form.querySelectorAll("input[type=file][data-max-files]");
    for (var i = 0; i < inputs.length; i++) {
      var max = parseInt(inputs[i].getAttribute("data-max-files"), 10);
      if (max && inputs[i].files && inputs[i].files.length > max) {
        inputs[i].setCustomValidity(inputs[i].getAttribute("data-max-files-message") || String(max));
        inputs[i].reportValidity();
        return true;
      }
      inputs[i].setCustomValidity("");
    }
    return false;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-files]")) {
      event.target.setCustomValidity("");
    }
  });
  document.addEventListener("submit", function (event) {
    if (tooMany(event.target)) { event.preventDefault(); }
  }, true);
  document.addEventListener("htmx:confirm", function (event) {
    var form = event.target.closest ? event.target.closest("form") : null;
    if (form && tooMany(form)) { event.preventDefault(); }
  });
})();
