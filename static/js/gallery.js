// Progressive enhancement: a gallery photo's link opens the photo large in a dialog over
// the page; Escape or the Close button closes it, and focus goes back to the photo.
// Without this script (or a browser without <dialog>) the link opens the large photo.
(function () {
  "use strict";
  var viewer = document.querySelector(".photo-viewer");
  if (!viewer || typeof viewer.showModal !== "function") {
    return;
  }
  var caption = viewer.querySelector(".photo-viewer-caption");
  var image = document.createElement("img");
  image.className = "photo-viewer-image";
  image.alt = "";
  caption.parentElement.insertBefore(image, caption);
  var opener = null;

  document.querySelectorAll("[data-photo-viewer]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      // A new tab or window, as the visitor asked, opens the photo itself.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
        return;
      }
      event.preventDefault();
      var thumbnail = link.querySelector("img");
      var shown = link.closest("figure").querySelector("figcaption");
      image.alt = thumbnail ? thumbnail.alt : "";
      image.src = link.getAttribute("href");
      caption.replaceChildren();
      if (shown) {
        shown.childNodes.forEach(function (node) {
          caption.appendChild(node.cloneNode(true));
        });
      }
      caption.hidden = !shown;
      opener = link;
      viewer.showModal();
    });
  });

  viewer.addEventListener("close", function () {
    image.removeAttribute("src");
    if (opener) {
      opener.focus();
      opener = null;
    }
  });
  // A click on the backdrop, outside the photo, closes it too.
  viewer.addEventListener("click", function (event) {
    if (event.target === viewer) {
      viewer.close();
    }
  });
})();
