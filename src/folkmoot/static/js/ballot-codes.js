// Keeps a voter's change code in this browser only, while the vote is open (issue 10,
// docs/secrecy.md): the server stores it as a hash bound to the voter and never sends it
// again, so a reload would otherwise lose the way to change the ballot. Only the change code
// is kept: it is useless to anyone else (bound to its voter), where the check code would tell
// the next person at this browser how the voter voted once the ballots are published. It
// is forgotten at the close and at sign-out (the server sends Clear-Site-Data). Without
// JavaScript the page still shows the codes once, with a download link.
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

  // Just cast: remember the change code (a change keeps the code already kept).
  var shown = document.getElementById("ballot-codes");
  if (shown && shown.dataset.person && shown.dataset.change) {
    if (write(shown.dataset.vote, shown.dataset.person, { change: shown.dataset.change })) {
      showKept(shown);
    }
  }

  // The download as a Blob when scripts run: a data: address would keep the codes in the
  // browser's download history.
  document.querySelectorAll("a[data-codes-file]").forEach(function (link) {
    var text = decodeURIComponent(link.getAttribute("href").split(",").slice(1).join(","));
    link.href = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  });

  // The change form: fill in the kept change code.
  document.querySelectorAll("[data-change-field]").forEach(function (input) {
    var codes = read(input.dataset.vote, input.dataset.person);
    if (codes.change && !input.value) {
      input.value = codes.change;
      showKept(input.parentNode);
    }
  });

  // After the close the change code is of no use: forget it.
  document.querySelectorAll("[data-closed-vote]").forEach(function (el) {
    try {
      store.removeItem(key(el.dataset.vote, el.dataset.person));
    } catch (e) {
      /* nothing kept */
    }
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
