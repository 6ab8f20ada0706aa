/* The rich-text editor (django-prose-editor) in the admin: a name for its writing area,
   its buttons in the admin's language, the language of the text for spell checking. */
(function () {
  "use strict";

  var labels = null;

  function buttonLabels() {
    if (labels === null) {
      var data = document.getElementById("admin-editor-labels");
      labels = data ? JSON.parse(data.textContent) : {};
    }
    return labels;
  }

  function translate(element) {
    var names = buttonLabels();
    // The block type picker's choices ("Heading 2", "Paragraph") are written out.
    if (element.matches(".prose-menubar__option > *")
      && Object.prototype.hasOwnProperty.call(names, element.textContent)) {
      element.textContent = names[element.textContent];
    }
    ["title", "aria-label"].forEach(function (attribute) {
      var value = element.getAttribute(attribute);
      if (value && Object.prototype.hasOwnProperty.call(names, value)) {
        element.setAttribute(attribute, names[value]);
      }
    });
  }

  function fieldLanguage(textarea) {
    var match = /(?:^|\s)mt-field-\S+-([a-z]{2})(?:\s|$)/.exec(textarea.className);
    return match ? match[1] : "";
  }

  document.addEventListener("prose-editor:ready", function (event) {
    var textarea = event.detail.textarea;
    var editable = event.detail.editor.view.dom;
    var label = textarea.id && document.querySelector("label[for='" + CSS.escape(textarea.id) + "']");
    if (label) {
      if (!label.id) {
        label.id = textarea.id + "_label";
      }
      editable.setAttribute("aria-labelledby", label.id);
    }
    editable.setAttribute("role", "textbox");
    editable.setAttribute("aria-multiline", "true");
    var language = fieldLanguage(textarea);
    if (language) {
      editable.setAttribute("lang", language);
    }
    var container = textarea.closest(".prose-editor") || textarea.parentElement;
    container.querySelectorAll("[title], [aria-label], .prose-menubar__option > *").forEach(translate);
    // Some menus (headings, dialogs) are built when they open.
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) {
            translate(node);
            node.querySelectorAll("[title], [aria-label], .prose-menubar__option > *").forEach(translate);
          }
        });
      });
    }).observe(container, { childList: true, subtree: true });
  });
}());
