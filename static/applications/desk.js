/* The clerk's desk: "再加一行" adds a blank "other" row to the one-time supplement notice.
   Without JavaScript the form has its fixed blank rows and works the same. */
(function () {
  "use strict";
  var MAX_ROWS = 20;

  function renumber(row, index) {
    row.querySelectorAll("[name], [id], label[for]").forEach(function (el) {
      ["name", "id", "for"].forEach(function (attr) {
        var value = el.getAttribute(attr);
        if (value) { el.setAttribute(attr, value.replace(/other\d+_/, "other" + index + "_")); }
      });
      if (el.tagName === "INPUT" || el.tagName === "TEXTAREA") { el.value = ""; }
    });
    row.querySelectorAll(".error").forEach(function (el) { el.remove(); });
    row.classList.remove("has-error");
    row.querySelectorAll("label").forEach(function (label) {
      label.textContent = label.textContent.replace(/\d+/, String(index + 1));
    });
  }

  function setUp(form) {
    var button = form.querySelector("[data-add-other-row]");
    var list = form.querySelector("[data-other-rows-list]");
    var count = form.querySelector("[data-other-rows]");
    if (!button || !list || !count) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var rows = list.querySelectorAll("[data-other-row]");
      if (rows.length >= MAX_ROWS) { button.disabled = true; return; }
      var row = rows[rows.length - 1].cloneNode(true);
      renumber(row, rows.length);
      list.appendChild(row);
      count.value = String(rows.length + 1);
      var first = row.querySelector("input, textarea");
      if (first) { first.focus(); }
      if (rows.length + 1 >= MAX_ROWS) { button.disabled = true; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".supplement-form").forEach(setUp);
  });
})();
