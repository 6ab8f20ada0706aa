// Keyboard reordering for the admin's sortable inlines (photos, partnerships).
// django-admin-sortable2 moves saved rows by dragging, which a keyboard cannot do: each
// saved row gets "Move up" and "Move down" buttons that move it one place, renumber the
// hidden order inputs the way a drag does, and say in a live region where the row went.
// The labels come from the page (templates/portfolio/admin/edit_inline/reorder_labels.html),
// in the editor's language.
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function ownText(element) {
    var text = "";
    if (!element) {
      return text;
    }
    element.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        text += node.textContent;
      }
    });
    return text.replace(/\s+/g, " ").trim();
  }

  function setUp(labels) {
    var group = document.getElementById(labels.dataset.group);
    var fieldset = group && group.querySelector("fieldset.sortable");
    if (!fieldset) {
      return;
    }
    var tabular = fieldset.querySelector("table tbody") !== null;
    var itemSelector = tabular ? "tr.has_original" : ".inline-related.has_original";
    var container = tabular ? fieldset.querySelector("table tbody") : fieldset;
    var reversed = fieldset.classList.contains("reversed");
    var status = labels.querySelector("[role=status]");

    function rows() {
      return Array.prototype.slice.call(container.querySelectorAll(itemSelector));
    }

    function orderInput(row) {
      return row.querySelector("input._reorder_");
    }

    function rowName(row) {
      var label = tabular
        ? row.querySelector("td.original p")
        : row.querySelector("h3 .inline_label");
      return ownText(label);
    }

    function renumber() {
      var all = rows();
      all.forEach(function (row, index) {
        orderInput(row).value = String(reversed ? all.length - index : index + 1);
      });
    }

    function announce(text) {
      // A new text node each time, so that the same words are read again.
      status.textContent = "";
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }

    function move(row, step, button) {
      var all = rows();
      var index = all.indexOf(row);
      var target = all[index + step];
      var name = rowName(row);
      if (!target) {
        announce(fill(step < 0 ? labels.dataset.first : labels.dataset.last, { name: name }));
        return;
      }
      target.insertAdjacentElement(step < 0 ? "beforebegin" : "afterend", row);
      renumber();
      // Moving the row took the focus away from the button that moved it.
      button.focus();
      announce(
        fill(labels.dataset.moved, {
          name: name,
          position: index + step + 1,
          count: all.length,
        }),
      );
    }

    function button(text, named, name, step, row) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "reorder-button";
      element.textContent = text;
      // Every row has the same two buttons: the photo's or partner's name tells them apart.
      element.setAttribute("aria-label", name ? fill(named, { name: name }) : text);
      element.addEventListener("click", function () {
        move(row, step, element);
      });
      return element;
    }

    var all = rows();
    // A form shown again after an error keeps the order the editor chose, not the saved one.
    var sorted = all.slice().sort(function (a, b) {
      var difference = Number(orderInput(a).value) - Number(orderInput(b).value);
      return reversed ? -difference : difference;
    });
    if (sorted.some(function (row, index) { return row !== all[index]; })) {
      var anchor = all[all.length - 1].nextSibling;
      sorted.forEach(function (row) {
        container.insertBefore(row, anchor);
      });
    }

    sorted.forEach(function (row) {
      var name = rowName(row);
      var buttons = document.createElement("span");
      buttons.className = "reorder-buttons";
      buttons.append(
        button(labels.dataset.moveUp, labels.dataset.moveUpNamed, name, -1, row),
        button(labels.dataset.moveDown, labels.dataset.moveDownNamed, name, 1, row),
      );
      if (tabular) {
        row.querySelector("td.original").append(buttons);
      } else {
        row.querySelector("h3").append(buttons);
      }
    });
  }

  function start() {
    document.querySelectorAll(".keyboard-reorder[data-group]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
