/* Address pickers: when the province changes, load its wards into the ward select.
 *
 * Progressive enhancement: without JavaScript the server re-renders the ward choices after a
 * submit. Markup: a <form data-wards-url="..."> holding a <select data-province-select> and a
 * <select data-wards-for="<the province select's name>">. The URL answers
 * {"wards": [{"code": "31120", "name": "Phường Cái Khế"}, ...]} for ?province=<code>.
 */
(function () {
  "use strict";

  function emptyOption(wardSelect) {
    var first = wardSelect.options[0];
    var option = document.createElement("option");
    option.value = "";
    option.textContent = first && first.value === "" ? first.textContent : "—";
    return option;
  }

  function fillWards(wardSelect, wards, keepValue) {
    var fragment = document.createDocumentFragment();
    fragment.appendChild(emptyOption(wardSelect));
    wards.forEach(function (ward) {
      var option = document.createElement("option");
      option.value = ward.code;
      option.textContent = ward.name;
      if (ward.code === keepValue) {
        option.selected = true;
      }
      fragment.appendChild(option);
    });
    wardSelect.replaceChildren(fragment);
  }

  function connect(form, provinceSelect) {
    var url = form.getAttribute("data-wards-url");
    var wardSelect = form.querySelector('select[data-wards-for="' + CSS.escape(provinceSelect.name) + '"]');
    if (!url || !wardSelect) {
      return;
    }
    var pending = null;

    provinceSelect.addEventListener("change", function () {
      var code = provinceSelect.value;
      var keep = wardSelect.value;
      if (pending) {
        pending.abort();
        pending = null;
      }
      if (!code) {
        fillWards(wardSelect, [], "");
        return;
      }
      var controller = new AbortController();
      pending = controller;
      var target = new URL(url, window.location.href);
      target.searchParams.set("province", code);
      wardSelect.setAttribute("aria-busy", "true");
      wardSelect.disabled = true;
      fetch(target.toString(), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          fillWards(wardSelect, Array.isArray(data.wards) ? data.wards : [], keep);
        })
        .catch(function (error) {
          if (error.name !== "AbortError") {
            // The old list belongs to another province; after a submit the server re-renders the right one.
            fillWards(wardSelect, [], "");
          }
        })
        .finally(function () {
          if (pending === controller) {
            pending = null;
            wardSelect.disabled = false;
            wardSelect.removeAttribute("aria-busy");
          }
        });
    });
  }

  function init() {
    document.querySelectorAll("form[data-wards-url]").forEach(function (form) {
      form.querySelectorAll("select[data-province-select]").forEach(function (provinceSelect) {
        connect(form, provinceSelect);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
