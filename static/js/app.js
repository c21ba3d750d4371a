// Page behaviour, loaded as a file: the Content-Security-Policy allows no inline script.
"use strict";

// A person picker: a text box that searches the people a field offers as you type
// (GET data-picker&q=..., answered by /people/pick), a list to choose from, and the
// hidden input the form sends (the chosen person's id).
function setUpPicker(box) {
  var search = box.querySelector(".picker-search");
  var hidden = box.querySelector("input[type=hidden]");
  var list = box.querySelector(".picker-list");
  var status = box.querySelector(".picker-status");
  var timer = null;
  var active = -1;
  var asked = 0;

  function options() { return list.querySelectorAll("[role=option]"); }

  function close() {
    list.hidden = true;
    search.setAttribute("aria-expanded", "false");
    search.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(n) {
    var items = options();
    if (!items.length) { return; }
    active = (n + items.length) % items.length;
    items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
    search.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({block: "nearest"});
  }

  function choose(li) {
    hidden.value = li.dataset.id;
    search.value = li.dataset.label;
    status.textContent = "";
    close();
  }

  function show(items, more) {
    list.textContent = "";
    items.forEach(function (item, i) {
      var li = document.createElement("li");
      li.id = hidden.id + "-opt-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.id = item.id;
      li.dataset.label = item.label;
      li.textContent = item.label;
      li.addEventListener("mousedown", function (event) { event.preventDefault(); choose(li); });
      list.appendChild(li);
    });
    status.textContent = !items.length ? (box.dataset.none || "") : (more ? (box.dataset.more || "") : "");
    list.hidden = !items.length;
    search.setAttribute("aria-expanded", items.length ? "true" : "false");
    active = -1;
  }

  function ask() {
    var n = ++asked;
    var url = box.dataset.picker + "&q=" + encodeURIComponent(search.value.trim());
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : {items: []}; })
      .then(function (body) { if (n === asked) { show(body.items || [], body.more); } })
      .catch(function () { if (n === asked) { show([], false); } });
  }

  search.addEventListener("input", function () {
    hidden.value = "";  // typing again forgets the earlier choice
    close();  // and the earlier answer, until the new one comes
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  search.addEventListener("focus", function () { if (!hidden.value) { ask(); } });
  search.addEventListener("blur", function () { setTimeout(close, 100); });
  search.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") { event.preventDefault(); if (list.hidden) { ask(); } else { highlight(active + 1); } }
    else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
    else if (event.key === "Enter" && !list.hidden && active >= 0) { event.preventDefault(); choose(options()[active]); }
    else if (event.key === "Escape") { close(); }
  });
}

document.addEventListener("DOMContentLoaded", function () {
  // A <select data-autosubmit> sends its form when the choice changes
  // (the unit and the start choice on the new-case page).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
  document.querySelectorAll("[data-picker]").forEach(setUpPicker);
});
