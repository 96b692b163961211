// The "Share…" button (issue 13): the browser's own share sheet (the Web Share API) where
// the browser has one; elsewhere the button stays hidden and the plain link above is the way
// to share. No third-party script, nothing sent anywhere by this page.
(function () {
  "use strict";
  if (!navigator.share) return;
  document.querySelectorAll("[data-share]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator
        .share({ title: button.dataset.title, url: button.dataset.url })
        .catch(function () {}); // closed without sharing: nothing to do
    });
  });
})();
