/* Ta steget registration form, embedded. Paste on a municipality website:
   the iframe works alone; this script makes it follow its content's height.
   While the form loads, a short "loading" line stands in its place (not an
   empty box). The form reports in as soon as it runs; on a website that is
   not allowed to show it the browser refuses the frame, which then loads an
   error page and never reports in. A few seconds after the frame's load
   event without a report (or at once on an error) the script replaces it
   with a link to the registration page on tasteget.nu, with the
   municipality chosen. */
(function () {
  "use strict";
  var siteOrigin = "{{ site_origin|escapejs }}";
  var linkText = "{{ link_text|escapejs }}";
  var loadingText = "{{ loading_text|escapejs }}";
  var registrationUrl = "{{ registration_url|escapejs }}";
  var graceMs = {{ grace_ms }};
  var waitMs = {{ wait_ms }};
  var frames = document.querySelectorAll("iframe[data-tasteget-form]");
  Array.prototype.forEach.call(frames, function (frame) {
    var url = new URL(frame.getAttribute("src"), siteOrigin);
    if (url.origin !== siteOrigin) return;
    var slug = (url.pathname.match(/\/embed\/([a-z0-9-]+)\/?$/) || [])[1];
    var fallbackUrl = url.toString();
    if (registrationUrl && slug) {
      var page = new URL(registrationUrl);
      page.searchParams.set("kommun", slug);
      fallbackUrl = page.toString();
    }
    var shownHeight = frame.style.height;
    var loading = document.createElement("p");
    loading.setAttribute("data-tasteget-loading", "");
    loading.setAttribute("role", "status");
    loading.style.minHeight = "6rem";
    loading.textContent = loadingText;
    frame.parentNode.insertBefore(loading, frame);
    // Out of sight, not out of the document: the form still loads and measures itself.
    frame.style.height = "0";
    frame.style.visibility = "hidden";
    frame.setAttribute("loading", "eager");

    var state = "waiting";
    var timer = null;
    function ready() {
      if (state === "failed") return;
      if (state === "waiting") {
        state = "ready";
        window.clearTimeout(timer);
        if (loading.parentNode) loading.parentNode.removeChild(loading);
        frame.style.visibility = "";
        if (frame.style.height === "0px" || frame.style.height === "0") frame.style.height = shownHeight;
      }
    }
    function fail() {
      if (state !== "waiting" || !frame.parentNode) return;
      state = "failed";
      window.clearTimeout(timer);
      var paragraph = document.createElement("p");
      paragraph.setAttribute("data-tasteget-fallback", "");
      var link = document.createElement("a");
      link.href = fallbackUrl;
      link.textContent = linkText;
      paragraph.appendChild(link);
      if (loading.parentNode) loading.parentNode.removeChild(loading);
      frame.parentNode.replaceChild(paragraph, frame);
    }

    window.addEventListener("message", function (event) {
      if (event.origin !== siteOrigin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === "tasteget:ready") {
        ready();
      } else if (data.type === "tasteget:height" && typeof data.height === "number" && data.height > 0 && data.height < 20000) {
        ready();
        if (state === "ready") frame.style.height = Math.ceil(data.height) + "px";
      }
    });
    // Loaded but silent: refused (CSP frame-ancestors) or broken. The form
    // reports before its own load event, so a short grace is plenty.
    frame.addEventListener("load", function () {
      if (state === "waiting") {
        window.clearTimeout(timer);
        timer = window.setTimeout(fail, graceMs);
      }
    });
    frame.addEventListener("error", fail);
    timer = window.setTimeout(fail, waitMs);  // never even loaded
    url.searchParams.set("origin", window.location.origin);
    frame.setAttribute("src", url.toString());
  });
})();
