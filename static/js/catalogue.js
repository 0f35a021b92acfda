/* The catalogue's progressive enhancements; every page works without them.
   - Filters: a change to a checkbox or select submits the form at once, and the reloaded page comes back
     at the same scroll position, with focus on the same control and the phone's filter panel still open.
   - Empty fields are left out of the URL, so shared links stay short.
   - Wide screens always show the filters (for browsers that cannot style <details> content open).
   - Product gallery: a thumbnail shows its photo in the main frame instead of opening the file. */
(function () {
  "use strict";

  var STATE_KEY = "ocop:catalogue:restore";
  var WIDE = window.matchMedia ? window.matchMedia("(min-width: 60em)") : null;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage blocked: nothing to remember, the page still works
    }
  }

  function controlSelector(control) {
    if (control.id) {
      return "#" + CSS.escape(control.id);
    }
    return "[name='" + CSS.escape(control.name) + "'][value='" + CSS.escape(control.value) + "']";
  }

  function leaveOutEmptyFields(form) {
    Array.prototype.forEach.call(form.elements, function (field) {
      // The sort order is only sent when chosen: otherwise the server picks relevance for a search, newest else.
      var defaultSort = field.name === "sort" && !field.hasAttribute("data-sort-explicit") && !field.hasAttribute("data-changed");
      if (field.name && !field.disabled && (field.tagName === "INPUT" || field.tagName === "SELECT") &&
          field.type !== "checkbox" && field.type !== "radio" && (defaultSort || field.value.trim() === "")) {
        field.disabled = true;
        // Re-enable after the navigation starts, so a page kept in the back/forward cache is intact.
        window.setTimeout(function () { field.disabled = false; }, 0);
      }
    });
  }

  function initFilters() {
    var form = document.querySelector("[data-catalogue-filters]");
    if (!form) {
      return;
    }
    document.documentElement.classList.add("catalogue-js");
    var details = form.closest("[data-filters]");

    function syncWide() {
      if (details && WIDE && WIDE.matches) {
        details.open = true;
      }
    }
    syncWide();
    if (WIDE && WIDE.addEventListener) {
      WIDE.addEventListener("change", syncWide);
    }

    form.addEventListener("submit", function () {
      leaveOutEmptyFields(form);
    });

    function autoSubmit(event) {
      var control = event.target;
      if (!control.matches || !control.matches("[data-autosubmit]") || control.form !== form) {
        return;
      }
      control.setAttribute("data-changed", "");
      var store = storage();
      if (store) {
        store.setItem(STATE_KEY, JSON.stringify({
          path: window.location.pathname,
          scroll: window.scrollY,
          focus: controlSelector(control),
          open: Boolean(details && details.open && !(WIDE && WIDE.matches))
        }));
      }
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        leaveOutEmptyFields(form);
        form.submit();
      }
    }
    // The sort select sits outside the <form> element (form="…"), so listen on the document.
    document.addEventListener("change", autoSubmit);

    var store = storage();
    var saved = store && store.getItem(STATE_KEY);
    if (!saved) {
      return;
    }
    store.removeItem(STATE_KEY);
    try {
      saved = JSON.parse(saved);
    } catch (error) {
      return;
    }
    if (saved.path !== window.location.pathname) {
      return;
    }
    if (saved.open && details) {
      details.open = true;
    }
    window.scrollTo(0, saved.scroll || 0);
    var target = saved.focus && document.querySelector(saved.focus);
    if (target) {
      target.focus({ preventScroll: true });
    }
  }

  function initGallery() {
    var gallery = document.querySelector("[data-gallery]");
    var main = gallery && gallery.querySelector("[data-gallery-main]");
    if (!main) {
      return;
    }
    var image = main.querySelector("img");
    gallery.addEventListener("click", function (event) {
      var thumb = event.target.closest("[data-gallery-thumb]");
      if (!thumb || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) {
        return;
      }
      event.preventDefault();
      image.src = thumb.getAttribute("href");
      image.alt = thumb.getAttribute("data-alt") || "";
      main.href = thumb.getAttribute("data-full") || thumb.getAttribute("href");
      gallery.querySelectorAll("[data-gallery-thumb]").forEach(function (other) {
        other.removeAttribute("aria-current");
      });
      thumb.setAttribute("aria-current", "true");
    });
  }

  function init() {
    initFilters();
    initGallery();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
