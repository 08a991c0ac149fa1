// The main menu's sections are <details> elements: they open and close
// without JavaScript. With it, they also close as people expect of a menu:
// on a click or tap outside, on Escape (focus goes back to the section's
// button), and when another section opens.
(function () {
  "use strict";
  var sections = document.querySelectorAll("details.main-nav__section");
  if (!sections.length) return;

  function closeAll(except) {
    sections.forEach(function (section) {
      if (section !== except) section.open = false;
    });
  }

  sections.forEach(function (section) {
    section.addEventListener("toggle", function () {
      if (section.open) closeAll(section);
    });
  });

  document.addEventListener("click", function (event) {
    var inside = event.target.closest && event.target.closest("details.main-nav__section");
    closeAll(inside);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var open = document.querySelector("details.main-nav__section[open]");
    if (!open) return;
    open.open = false;
    open.querySelector("summary").focus();
  });
})();
