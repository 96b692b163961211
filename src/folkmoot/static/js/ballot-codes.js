// Keeps a voter's ballot codes in this browser only (issue 10, docs/secrecy.md): the server
// stores the change code as a hash bound to the voter and never sends it again, so a reload
// would otherwise lose the way to change the ballot. Keyed by vote and person, so another
// person signed in on the same device finds nothing. Without JavaScript the page still shows
// the codes once, with a download link.
(function () {
  "use strict";
  var store;
  try {
    store = window.localStorage;
  } catch (e) {
    return; // storage refused (private mode, policy): the codes stay on screen only
  }
  if (!store) return;

  function key(vote, person) {
    return "folkmoot.ballot." + vote + "." + person;
  }
  function read(vote, person) {
    try {
      return JSON.parse(store.getItem(key(vote, person)) || "{}");
    } catch (e) {
      return {};
    }
  }
  function write(vote, person, codes) {
    try {
      store.setItem(key(vote, person), JSON.stringify(codes));
      return true;
    } catch (e) {
      return false;
    }
  }
  function showKept(root) {
    root.querySelectorAll("[data-kept]").forEach(function (el) {
      el.hidden = false;
    });
  }

  // Just cast or changed: remember the codes (a change keeps the codes already kept).
  var shown = document.getElementById("ballot-codes");
  if (shown && shown.dataset.person) {
    var kept = read(shown.dataset.vote, shown.dataset.person);
    if (shown.dataset.check) kept.check = shown.dataset.check;
    if (shown.dataset.change) kept.change = shown.dataset.change;
    if (write(shown.dataset.vote, shown.dataset.person, kept)) showKept(shown);
  }

  // The change form: fill in the kept change code; once the vote has closed, forget it.
  document.querySelectorAll("[data-change-field]").forEach(function (input) {
    var codes = read(input.dataset.vote, input.dataset.person);
    if (input.hasAttribute("data-closed")) {
      delete codes.change;
      write(input.dataset.vote, input.dataset.person, codes);
      return;
    }
    if (codes.change && !input.value) {
      input.value = codes.change;
      showKept(input.parentNode);
    }
  });

  // Finding my ballot after the close: fill in the kept check code, forget the change code.
  document.querySelectorAll("[data-check-field]").forEach(function (input) {
    var codes = read(input.dataset.vote, input.dataset.person);
    if (codes.change) {
      delete codes.change;
      write(input.dataset.vote, input.dataset.person, codes);
    }
    if (codes.check && !input.value) input.value = codes.check;
  });

  // Copy buttons appear only where the clipboard can be written.
  if (navigator.clipboard) {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (source) navigator.clipboard.writeText(source.textContent.trim());
      });
    });
  }
})();
