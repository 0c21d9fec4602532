// Client record pages: a refused form or action puts the reader at the
// message that says why (the error summary links on to each field).
(function () {
  "use strict";
  const message = document.getElementById("form-errors") || document.getElementById("intake-problem");
  if (message) {
    message.focus();
  }
})();
