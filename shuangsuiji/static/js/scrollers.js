// A table or listing wider than the screen scrolls sideways inside its box. Browsers that do not make such a
// box focusable on their own leave keyboard users unable to reach its right-hand columns, so each box that
// overflows joins the tab order (and leaves it when a wider window no longer needs it).
(function () {
  "use strict";
  function mark() {
    document.querySelectorAll(".table-responsive, pre").forEach(function (box) {
      if (box.dataset.scrollerTab === undefined && box.hasAttribute("tabindex")) return;  // the page's own choice
      if (box.scrollWidth > box.clientWidth + 1) {
        box.tabIndex = 0;
        box.dataset.scrollerTab = "1";
      } else if (box.dataset.scrollerTab) {
        box.removeAttribute("tabindex");
        delete box.dataset.scrollerTab;
      }
    });
  }
  mark();
  window.addEventListener("resize", mark);
  document.addEventListener("htmx:afterSettle", mark);
})();
