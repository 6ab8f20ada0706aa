/* The admin's change forms: one language switch for every translated field, an error
   summary whose links lead to their field, and names for controls that lack one. */
(function () {
  "use strict";

  var STORAGE_KEY = "admin.editedLanguage";
  var FIELD_CLASS = /^mt-field-.+-([a-z]{2}(?:_[a-z]+)?)$/;
  var HIDDEN = "other-language";

  function fieldLanguage(control) {
    for (var i = 0; i < control.classList.length; i += 1) {
      var match = FIELD_CLASS.exec(control.classList[i]);
      if (match) {
        return match[1];
      }
    }
    return "";
  }

  /* The element that holds one translated field: its label, errors and help. */
  function fieldContainers(control) {
    var cell = control.closest("td");
    if (cell && control.closest(".tabular")) {
      var name = control.name.split("-").pop();
      var table = cell.closest("table");
      var heading = table && table.querySelector("thead th.column-" + name);
      return heading ? [cell, heading] : [cell];
    }
    var box = control.closest(".fieldBox");
    if (box) {
      return [box.parentElement];
    }
    var row = control.closest(".form-row");
    return row ? [row] : [];
  }

  function translatedControls(root) {
    return Array.prototype.filter.call(
      root.querySelectorAll("input[class*='mt-field-'], textarea[class*='mt-field-'], select[class*='mt-field-']"),
      function (control) { return fieldLanguage(control) !== ""; }
    );
  }

  var switcher = null;

  function languages() {
    return Array.prototype.map.call(
      switcher.querySelectorAll("[data-language]"),
      function (button) { return button.dataset.language; }
    );
  }

  function storedLanguage() {
    try {
      return window.localStorage.getItem(STORAGE_KEY);
    } catch (error) {
      return null; // storage refused (private mode, policy): the admin's language then
    }
  }

  function activeLanguage() {
    var stored = storedLanguage();
    if (stored && languages().indexOf(stored) !== -1) {
      return stored;
    }
    var admin = switcher.dataset.adminLanguage;
    return languages().indexOf(admin) !== -1 ? admin : languages()[0];
  }

  /* Show ``language``'s field of every translated field under ``root``, hide the others. */
  function showLanguage(language, root) {
    translatedControls(root || document).forEach(function (control) {
      // Spell checkers and screen readers then use the text's own language.
      control.setAttribute("lang", fieldLanguage(control));
      var hide = fieldLanguage(control) !== language;
      fieldContainers(control).forEach(function (container) {
        container.classList.toggle(HIDDEN, hide);
      });
    });
  }

  function setLanguage(language, remember) {
    switcher.querySelectorAll("[data-language]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.language === language));
    });
    showLanguage(language);
    if (remember) {
      try {
        window.localStorage.setItem(STORAGE_KEY, language);
      } catch (error) {
        // Not remembered; the switch still works on this page.
      }
    }
  }

  /* Open every collapsed section around ``element``. */
  function reveal(element) {
    for (var node = element.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") {
        node.open = true;
      }
    }
  }

  /* The element a person types in for the field whose form control is ``control``. */
  function focusTarget(control) {
    var editor = control.closest(".prose-editor");
    if (editor && editor.querySelector("[contenteditable=true]")) {
      return editor.querySelector("[contenteditable=true]");
    }
    var select2 = control.classList.contains("select2-hidden-accessible")
      && control.parentElement.querySelector(".select2-selection");
    return select2 || control;
  }

  function followErrorLink(event) {
    var link = event.target.closest(".error-summary a[href^='#']");
    if (!link) {
      return;
    }
    var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!target) {
      return;
    }
    event.preventDefault();
    if (link.dataset.language && switcher) {
      setLanguage(link.dataset.language, true);
    }
    reveal(target);
    var focusable = focusTarget(target);
    if (!focusable.matches("input, select, textarea, button, a[href], [tabindex], [contenteditable=true]")) {
      focusable.setAttribute("tabindex", "-1");
    }
    focusable.focus();
    focusable.scrollIntoView({ block: "center" });
  }

  /* A label's id, given one if it had none. */
  function labelId(label, fallback) {
    if (!label.id) {
      label.id = fallback;
    }
    return label.id;
  }

  function hasName(control) {
    return control.hasAttribute("aria-label") || control.hasAttribute("aria-labelledby")
      || (control.id && document.querySelector("label[for='" + CSS.escape(control.id) + "']"));
  }

  /* Cells of a table (an inline's rows, the list's editable columns) have no label of their
     own: name each control by its column's heading and its row's heading. */
  function labelTableCells(root) {
    root.querySelectorAll("table").forEach(function (table, tableIndex) {
      var headings = table.querySelectorAll("thead tr:first-child > th, thead tr:first-child > td");
      table.querySelectorAll("tbody tr").forEach(function (row, rowIndex) {
        var rowHeading = row.querySelector("th, td.original p");
        var rowHeadingId = rowHeading && rowHeading.textContent.trim()
          ? labelId(rowHeading, "row-heading-" + tableIndex + "-" + rowIndex)
          : "";
        row.querySelectorAll("td input:not([type=hidden]), td select, td textarea").forEach(function (control) {
          if (hasName(control) || control.classList.contains("select2-search__field")) {
            return;
          }
          var heading = headings[control.closest("td").cellIndex];
          if (!heading || !heading.textContent.trim()) {
            return;
          }
          var headingId = labelId(heading, "column-heading-" + tableIndex + "-" + heading.cellIndex);
          control.setAttribute("aria-labelledby", (headingId + " " + rowHeadingId).trim());
        });
      });
      // The first heading of an inline's table, above the saved rows' names, is empty.
      table.querySelectorAll("thead th.original").forEach(function (heading) {
        if (!heading.textContent.trim()) {
          var cell = document.createElement("td");
          cell.className = heading.className;
          heading.replaceWith(cell);
        }
      });
    });
  }

  /* The autocomplete boxes (select2) name themselves after their current choice only. */
  function labelAutocompletes(root) {
    root.querySelectorAll("select.select2-hidden-accessible[id]").forEach(function (select) {
      var label = document.querySelector("label[for='" + CSS.escape(select.id) + "']");
      var container = select.nextElementSibling;
      if (!label || !container) {
        return;
      }
      var id = labelId(label, select.id + "_label");
      var selection = container.querySelector(".select2-selection");
      var rendered = container.querySelector(".select2-selection__rendered[id]");
      if (selection) {
        selection.setAttribute("aria-labelledby", rendered && !select.multiple ? id + " " + rendered.id : id);
      }
      if (rendered && !select.multiple) {
        // The current choice, a read-only box: named by the field's label too.
        rendered.setAttribute("aria-labelledby", id);
      }
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        field.setAttribute("aria-labelledby", id);
      });
      var list = container.querySelector("ul.select2-selection__rendered");
      if (list && !list.dataset.watched) {
        list.dataset.watched = "true";
        var tidy = function () {
          // select2 puts its "clear" cross inside the list of choices, where only items belong.
          list.querySelectorAll(":scope > :not(li)").forEach(function (stray) {
            list.parentElement.insertBefore(stray, list);
          });
          list.querySelectorAll(".select2-search__field").forEach(function (field) {
            field.setAttribute("aria-labelledby", id);
          });
        };
        new MutationObserver(tidy).observe(list, { childList: true, subtree: true });
        tidy();
      }
    });
  }

  function openSectionsWithErrors() {
    document.querySelectorAll("details .errors, details .errorlist").forEach(reveal);
  }

  function nameControls(root) {
    labelTableCells(root);
    labelAutocompletes(root);
  }

  function start() {
    switcher = document.querySelector(".language-switch");
    if (switcher) {
      switcher.addEventListener("click", function (event) {
        var button = event.target.closest("[data-language]");
        if (button) {
          setLanguage(button.dataset.language, true);
        }
      });
      setLanguage(activeLanguage(), false);
      // A row added with "Add another" is a copy of the inline's template: show its fields
      // in the language being edited, whatever the template showed.
      document.addEventListener("formset:added", function (event) {
        var pressed = switcher.querySelector("[aria-pressed=true]");
        showLanguage(pressed ? pressed.dataset.language : activeLanguage(), event.target);
        window.setTimeout(function () { nameControls(event.target); }, 0);
      });
    }

    document.addEventListener("click", followErrorLink);
    openSectionsWithErrors();
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }

  // The admin loads this in the page's head, before the form exists.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // The autocomplete boxes are built once the page has loaded, by jQuery's ready handlers.
  window.addEventListener("load", function () {
    window.setTimeout(function () { nameControls(document); }, 0);
  });
}());
