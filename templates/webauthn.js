// F9, F10: the browser's half of a passkey ceremony. The page carries the options as a JSON data
// block (the CSP allows no inline script and no fetch); a click asks the authenticator, and the
// answer goes back in the form's hidden field like any other form value.
(function () {
  "use strict";
  var TRANSPORTS = ["usb", "nfc", "ble", "internal", "hybrid"];

  function toBuffer(text) {
    var s = text.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  var data = document.getElementById("webauthn-options");
  var button = document.getElementById("webauthn-start");
  if (!data || !button || !window.PublicKeyCredential) return;
  var form = button.form;
  var create = form.getAttribute("data-webauthn") === "create";
  button.hidden = false;

  // Enter in the form's other field asks the key too, rather than posting no answer.
  form.addEventListener("submit", function (event) {
    if (!document.getElementById("webauthn-answer").value) {
      event.preventDefault();
      button.click();
    }
  });

  button.addEventListener("click", function () {
    // The mailed code, when asked, is typed before the key is: one ceremony, one try.
    if (form.reportValidity && !form.reportValidity()) return;
    var o = JSON.parse(data.textContent);
    o.challenge = toBuffer(o.challenge);
    if (o.user) o.user.id = toBuffer(o.user.id);
    (o.excludeCredentials || []).concat(o.allowCredentials || []).forEach(function (c) {
      c.id = toBuffer(c.id);
    });
    var asked = create ? navigator.credentials.create({ publicKey: o }) : navigator.credentials.get({ publicKey: o });
    asked.then(function (credential) {
      var r = credential.response;
      var answer = { id: credential.id, rawId: toText(credential.rawId), type: credential.type, response: {} };
      answer.extensions = credential.getClientExtensionResults ? credential.getClientExtensionResults() : {};
      answer.response.clientDataJSON = toText(r.clientDataJSON);
      if (create) {
        answer.response.attestationObject = toText(r.attestationObject);
        if (r.getTransports) {
          answer.response.transports = r.getTransports().filter(function (t) { return TRANSPORTS.indexOf(t) >= 0; });
        }
      } else {
        answer.response.authenticatorData = toText(r.authenticatorData);
        answer.response.signature = toText(r.signature);
        if (r.userHandle) answer.response.userHandle = toText(r.userHandle);
      }
      document.getElementById("webauthn-answer").value = JSON.stringify(answer);
      form.submit();
    }).catch(function (error) {
      if (window.console) console.warn("webauthn: " + (error && error.name) + ": " + (error && error.message));
      var note = document.getElementById("webauthn-failed");
      if (note) note.hidden = false;
    });
  });
})();
