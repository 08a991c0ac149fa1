/* Inside the embedded form: tell the parent page (only the origin the server
   approved) that the form is here, and how tall the content is, so the
   iframe can fit it. */
(function () {
  "use strict";
  var parentOrigin = document.body.getAttribute("data-parent-origin");
  if (!parentOrigin || window.parent === window) return;
  function report() {
    // The content's own height: scrollHeight never drops below the frame's height.
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    window.parent.postMessage({ type: "tasteget:height", height: height }, parentOrigin);
  }
  // "Here and allowed": the loader shows the form instead of its fallback link.
  window.parent.postMessage({ type: "tasteget:ready" }, parentOrigin);
  report();
  window.addEventListener("load", report);
  if ("ResizeObserver" in window) new ResizeObserver(report).observe(document.body);
})();
