// Checklists on international-house guides: the visitor's ticks are kept in
// this browser's localStorage only; nothing is sent to the server. Without
// JavaScript (or storage) the checkboxes still work for the visit.
(function () {
  "use strict";

  function storage() {
    try {
      const probe = "tasteget-probe";
      window.localStorage.setItem(probe, probe);
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function setUp(list, store) {
    const key = "tasteget-checklist:" + list.dataset.checklist;
    const boxes = Array.from(list.querySelectorAll("input[data-step]"));
    const progress = list.querySelector("[data-checklist-progress]");
    const clear = list.querySelector("[data-checklist-clear]");
    let ticked = [];
    try {
      ticked = JSON.parse((store && store.getItem(key)) || "[]");
    } catch (error) {
      ticked = [];
    }
    boxes.forEach(function (box) {
      box.checked = ticked.indexOf(box.dataset.step) !== -1;
    });

    function update(announce) {
      const done = boxes.filter(function (box) { return box.checked; });
      if (store) {
        store.setItem(key, JSON.stringify(done.map(function (box) { return box.dataset.step; })));
      }
      const text = list.dataset.progressText
        .replace("__DONE__", String(done.length))
        .replace("__TOTAL__", String(boxes.length));
      if (announce || progress.textContent) {
        progress.textContent = text;
      }
      list.classList.toggle("checklist--complete", done.length === boxes.length);
      if (clear) {
        clear.hidden = done.length === 0;
      }
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", function () { update(true); });
    });
    if (clear) {
      clear.addEventListener("click", function () {
        boxes.forEach(function (box) { box.checked = false; });
        update(true);
        boxes[0].focus();
      });
    }
    update(ticked.length > 0);
  }

  const store = storage();
  document.querySelectorAll("[data-checklist]").forEach(function (list) { setUp(list, store); });
})();
