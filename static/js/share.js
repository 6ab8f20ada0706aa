// Progressive enhancement: a "copy the link" button where the browser can do it,
// using the system's share sheet on phones. Without this script the links still work.
(function () {
  "use strict";
  document.querySelectorAll("[data-share-url]").forEach(function (button) {
    var url = button.getAttribute("data-share-url");
    var title = button.getAttribute("data-share-title");
    var status = button.parentElement.querySelector(".share-status");
    if (!navigator.share && !(navigator.clipboard && window.isSecureContext)) {
      return;
    }
    if (navigator.share) {
      button.textContent = button.getAttribute("data-share-label");
    }
    button.parentElement.hidden = false;
    button.addEventListener("click", function () {
      if (navigator.share) {
        navigator.share({ title: title, url: url }).catch(function () {});
        return;
      }
      navigator.clipboard.writeText(url).then(function () {
        status.textContent = button.getAttribute("data-copied");
      });
    });
  });
})();
