/* Ta steget registration form, embedded. Paste on a municipality website:
   the iframe works alone; this script makes it follow its content's height.
   On a website that is not allowed to show the form, the browser refuses to
   show it; the frame then never reports in, and the script replaces it with
   a plain link to the form on tasteget.nu. */
(function () {
  "use strict";
  var siteOrigin = "{{ site_origin|escapejs }}";
  var linkText = "{{ link_text|escapejs }}";
  var waitMs = {{ wait_ms }};
  var frames = document.querySelectorAll("iframe[data-tasteget-form]");
  Array.prototype.forEach.call(frames, function (frame) {
    var url = new URL(frame.getAttribute("src"), siteOrigin);
    if (url.origin !== siteOrigin) return;
    var formUrl = url.toString();
    url.searchParams.set("origin", window.location.origin);
    frame.setAttribute("src", url.toString());
    frame.setAttribute("scrolling", "no");
    var reported = false;
    window.addEventListener("message", function (event) {
      if (event.origin !== siteOrigin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === "tasteget:height" && typeof data.height === "number" && data.height > 0 && data.height < 20000) {
        reported = true;
        frame.style.height = Math.ceil(data.height) + "px";
      }
    });
    window.setTimeout(function () {
      if (reported || !frame.parentNode) return;
      var paragraph = document.createElement("p");
      paragraph.setAttribute("data-tasteget-fallback", "");
      var link = document.createElement("a");
      link.href = formUrl;
      link.textContent = linkText;
      paragraph.appendChild(link);
      frame.parentNode.replaceChild(paragraph, frame);
    }, waitMs);
  });
})();
