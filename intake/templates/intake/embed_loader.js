/* Ta steget registration form, embedded. Paste on a municipality website:
   the iframe works alone; this script makes it follow its content's height. */
(function () {
  "use strict";
  var siteOrigin = "{{ site_origin|escapejs }}";
  var frames = document.querySelectorAll("iframe[data-tasteget-form]");
  Array.prototype.forEach.call(frames, function (frame) {
    var url = new URL(frame.getAttribute("src"), siteOrigin);
    if (url.origin !== siteOrigin) return;
    url.searchParams.set("origin", window.location.origin);
    frame.setAttribute("src", url.toString());
    frame.setAttribute("scrolling", "no");
    window.addEventListener("message", function (event) {
      if (event.origin !== siteOrigin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === "tasteget:height" && typeof data.height === "number" && data.height > 0 && data.height < 20000) {
        frame.style.height = Math.ceil(data.height) + "px";
      }
    });
  });
})();
