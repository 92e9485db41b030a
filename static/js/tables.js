// Wide tables scroll inside their own frame, not the whole page: each table of the page is put
// in a `.scroll` box (kept when the template already made one). When the table is wider than
// the screen, the box becomes a region named after the table's caption or heading, reachable
// with the keyboard (Tab, then the arrow keys scroll it).
(function () {
  "use strict";
  var count = 0;

  function labelOf(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      if (!caption.id) { caption.id = "tableau-titre-" + (++count); }
      return { id: caption.id };
    }
    var section = table.closest("section[aria-labelledby]");
    if (section) { return { id: section.getAttribute("aria-labelledby") }; }
    return { text: "Tableau" };
  }

  function frame(table) {
    var box = table.parentElement;
    if (!box.classList.contains("scroll")) {
      box = document.createElement("div");
      box.className = "scroll";
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    }
    return box;
  }

  function update(box) {
    var table = box.querySelector("table");
    if (table.scrollWidth > box.clientWidth + 1) {
      var label = labelOf(table);
      box.setAttribute("role", "region");
      box.setAttribute("tabindex", "0");
      if (label.id && document.getElementById(label.id)) {
        box.setAttribute("aria-labelledby", label.id);
        box.removeAttribute("aria-label");
      } else {
        box.setAttribute("aria-label", label.text || "Tableau");
      }
      box.classList.add("scrolls");
    } else {
      ["role", "tabindex", "aria-labelledby", "aria-label"].forEach(function (name) {
        box.removeAttribute(name);
      });
      box.classList.remove("scrolls");
    }
  }

  function start() {
    document.documentElement.classList.add("js-tables");
    var boxes = Array.prototype.map.call(document.querySelectorAll("main table"), frame);
    boxes.forEach(update);
    var pending = null;
    window.addEventListener("resize", function () {
      clearTimeout(pending);
      pending = setTimeout(function () { boxes.forEach(update); }, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
