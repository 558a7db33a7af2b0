/* Back-office pages: dialogs opened by a button, and forms that ask before they delete. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    const opener = event.target.closest("[data-open-dialog]");
    if (opener) {
      const dialog = document.getElementById(opener.dataset.openDialog);
      if (dialog) dialog.showModal();
      return;
    }
    const closer = event.target.closest("[data-close-dialog]");
    if (closer) closer.closest("dialog").close();
  });
  document.addEventListener("submit", function (event) {
    const form = event.target;
    const question = form.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      return;
    }
    // A download leaves the page where it is: close the dialog it was asked from.
    const dialog = form.closest("dialog");
    if (dialog && form.method === "get") window.setTimeout(function () { dialog.close(); }, 0);
  });
})();
