// The slip's preview: a button prints it; opened with ?imprimer=1 it prints at once.
(function () {
  "use strict";
  function print() {
    window.print();
  }
  document.querySelectorAll("[data-slip-print]").forEach(function (button) {
    button.addEventListener("click", print);
  });
  if (document.body.hasAttribute("data-slip-autoprint")) {
    window.addEventListener("load", print);
  }
})();
