// Page behaviour, loaded as a file: the Content-Security-Policy allows no inline script.
"use strict";

document.addEventListener("DOMContentLoaded", function () {
  // A <select data-autosubmit> sends its form when the choice changes
  // (the unit and the start choice on the new-case page).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
});
