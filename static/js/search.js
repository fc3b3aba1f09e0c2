// Search enhancements; every page works without this file (the forms submit as usual).
//  - suggestions under a search box (htmx fills them): Down arrow moves into the list,
//    Up/Down move between them, Escape closes them and returns to the box;
//  - "Compare" checkboxes: at most data-compare-max ticked, said politely when refused.
(function () {
  "use strict";

  // htmx under the CSP (base.html's htmx-config meta already drops its inline styles):
  // no eval, and a history entry missing from htmx's cache is reloaded as a whole page,
  // never fetched and swapped in as a fragment. (allowScriptTags stays on: turning it
  // off would also strip the json_script data blocks the maps read from fragments; the
  // CSP refuses inline JavaScript anyway.)
  if (window.htmx) {
    window.htmx.config.allowEval = false;
    window.htmx.config.refreshOnHistoryMiss = true;
  }

  // --- suggestions -------------------------------------------------------------------
  function links(list) {
    return Array.prototype.slice.call(list.querySelectorAll("a[href]"));
  }

  function closeSuggestions(list) {
    list.innerHTML = "";
    var status = document.getElementById("suggest-status");
    if (status) status.textContent = "";
  }

  document.querySelectorAll("input[data-suggest-input]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("data-suggest-list"));
    var wrapper = input.closest("[data-suggest]");
    if (!list || !wrapper) return;

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        var items = links(list);
        if (items.length) {
          event.preventDefault();
          items[0].focus();
        }
      } else if (event.key === "Escape" && links(list).length) {
        event.preventDefault();
        closeSuggestions(list);
      }
    });

    list.addEventListener("keydown", function (event) {
      var items = links(list);
      var index = items.indexOf(document.activeElement);
      if (index < 0) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        items[Math.min(index + 1, items.length - 1)].focus();
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        if (index === 0) input.focus();
        else items[index - 1].focus();
      } else if (event.key === "Escape") {
        event.preventDefault();
        closeSuggestions(list);
        input.focus();
      }
    });

    // Leaving the box and the list (Tab, a click elsewhere) closes the list; a pointer
    // pressed on a suggestion must not (some browsers do not focus links on click).
    var pointerInside = false;
    wrapper.addEventListener("pointerdown", function () {
      pointerInside = true;
    });
    document.addEventListener("pointerup", function () {
      window.setTimeout(function () {
        pointerInside = false;
      }, 0);
    });
    wrapper.addEventListener("focusout", function (event) {
      if (pointerInside) return;
      if (!event.relatedTarget || !wrapper.contains(event.relatedTarget)) {
        closeSuggestions(list);
      }
    });
  });

  // --- compare checkboxes ------------------------------------------------------------
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.hasAttribute("data-compare")) return;
    var status = document.getElementById("compare-status");
    var max = parseInt((status && status.getAttribute("data-compare-max")) || "4", 10);
    var ticked = document.querySelectorAll("input[data-compare]:checked").length;
    if (box.checked && ticked > max) {
      box.checked = false;
      if (status) status.textContent = status.getAttribute("data-limit-message") || "";
    } else if (status) {
      status.textContent = "";
    }
  });
})();
