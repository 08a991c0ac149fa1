/* Ta steget's page view counter: one POST with the page's id, once the page
 * is really shown. No cookie, no identifier, nothing stored in the browser.
 * Not sent when the browser asks for no tracking (Do Not Track, Global
 * Privacy Control), for prerendered pages never shown, or under automation.
 * See docs/data-protection.md. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var page = script.getAttribute("data-page");
  var url = script.getAttribute("data-url");
  var nav = window.navigator;
  if (!page || !url || nav.webdriver) return;
  if (nav.doNotTrack === "1" || window.doNotTrack === "1" || nav.globalPrivacyControl === true) return;

  var sent = false;
  function send() {
    if (sent || document.visibilityState !== "visible" || document.prerendering) return;
    sent = true;
    var body = new URLSearchParams();
    body.set("p", page);
    if (nav.sendBeacon && nav.sendBeacon(url, body)) return;
    if (window.fetch) {
      window.fetch(url, { method: "POST", body: body, credentials: "omit", keepalive: true });
    }
  }
  send();
  if (!sent) {
    document.addEventListener("visibilitychange", send);
    document.addEventListener("prerenderingchange", send);
  }
})();
