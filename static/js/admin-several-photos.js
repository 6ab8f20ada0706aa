// "Add several photos": one photo row of the gallery for each file chosen at once.
// Each row is added as "Add another photo" adds it, and gets its file in its own file
// input, so the server checks each file as it checks one added by hand, shows any error
// on that row, and keeps the valid files of a form that comes back with an error.
// Without this script the input stays hidden: rows are added one by one.
(function () {
  "use strict";

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function setUp(box) {
    var group = document.getElementById(box.dataset.group);
    if (!group || typeof DataTransfer !== "function") {
      return;
    }
    var prefix = box.dataset.group.replace(/-group$/, "");
    var input = box.querySelector("input[type=file]");
    var status = box.querySelector("[role=status]");
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");

    function addRow() {
      var link = group.querySelector(".add-row a");
      if (!link || link.closest(".add-row").style.display === "none") {
        return null;
      }
      var before = Number(total.value);
      link.click();
      if (Number(total.value) !== before + 1) {
        return null;
      }
      return document.getElementById(prefix + "-" + before);
    }

    input.addEventListener("change", function () {
      var files = Array.prototype.slice.call(input.files);
      var added = [];
      for (var index = 0; index < files.length; index += 1) {
        var row = addRow();
        if (!row) {
          break;
        }
        var fileInput = row.querySelector("input[type=file]");
        var transfer = new DataTransfer();
        transfer.items.add(files[index]);
        fileInput.files = transfer.files;
        fileInput.dispatchEvent(new Event("change", { bubbles: true }));
        added.push(row);
      }
      input.value = "";
      var messages = [];
      if (added.length === 1) {
        messages.push(box.dataset.oneAdded);
      } else if (added.length > 1) {
        messages.push(fill(box.dataset.added, { count: added.length }));
      }
      if (added.length < files.length) {
        messages.push(fill(box.dataset.noRoom, { count: files.length - added.length }));
      }
      status.textContent = messages.join(" ");
      if (added.length) {
        // Each photo needs its description: start with the first new one.
        var description = added[0].querySelector("input[type=text]");
        if (description) {
          description.focus();
        }
      }
    });

    box.hidden = false;
  }

  function start() {
    document.querySelectorAll(".several-photos[data-group]").forEach(setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
