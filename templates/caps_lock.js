// Caps Lock warning for every password field (seed 001: "check your Caps Lock"). Served as a
// file: the pages' CSP allows no inline script, and the forms work the same without this.
(function () {
  "use strict";
  var on = false;
  var notes = [];

  function show() {
    for (var i = 0; i < notes.length; i++) {
      notes[i].note.hidden = !(on && document.activeElement === notes[i].field);
    }
  }

  function track(event) {
    if (event.key === "CapsLock") {
      // The Caps Lock key itself: browsers disagree on whether its own event already reports
      // the new state, so its press flips what we know.
      if (event.type === "keydown") on = !on;
    } else if (typeof event.getModifierState === "function") {
      on = event.getModifierState("CapsLock");
    }
    show();
  }

  var fields = document.querySelectorAll('input[type="password"]');
  for (var i = 0; i < fields.length; i++) {
    var field = fields[i];
    var note = document.createElement("p");
    note.className = "caps-warning";
    note.id = (field.id || "password-" + i) + "-caps";
    note.setAttribute("role", "status");
    note.setAttribute("aria-live", "polite");
    // G1: the page's own language, from the catalogue (base.html).
    note.textContent = document.body.getAttribute("data-caps-lock") || "";
    note.hidden = true;
    field.insertAdjacentElement("afterend", note);
    var described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? described + " " + note.id : note.id);
    field.addEventListener("keydown", track);
    field.addEventListener("keyup", track);
    field.addEventListener("focus", show);
    field.addEventListener("blur", show);
    notes.push({ field: field, note: note });
  }
})();
