// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";
  // The language switcher submits on change; the button stays for keyboard and no-JS use.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
})();
