/* Registration forms: move focus to the error summary so it is announced,
   and send a form only once even if the button is clicked twice. The forms
   work without this script; the server also ignores repeated submissions. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (summary) summary.focus();
  Array.prototype.forEach.call(document.querySelectorAll("form[data-once]"), function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
      Array.prototype.forEach.call(form.querySelectorAll("[type=submit]"), function (button) {
        button.setAttribute("aria-disabled", "true");
      });
    });
  });
})();
