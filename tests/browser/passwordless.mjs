// Signing in with a passkey instead of the password (issue 28, F10, F12) in a real browser,
// Chromium's virtual authenticators (CDP WebAuthn) and real ceremonies:
// - alice's platform passkey (internal transport, resident, verifies her) signs her in alone;
// - the administrator's USB security key (non-resident, no user verification) is one factor,
//   so the password is asked too;
// - a relayed ceremony (a phishing page on another origin asks the same key for Lanyard's
//   challenge) is refused by Lanyard;
// - an administrator's reset (F6, F11) removes the keys.
// Usage: node passwordless.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { cli, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
page.on("console", (m) => console.error("console:", m.text()));

async function addKey(name) {
  await page.goto(`${issuer}/settings/passkeys`);
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForLoadState();
  await page.getByRole("button", { name: "Add the key" }).click();
  await page.waitForURL(`${issuer}/settings/passkeys`);
  await page.waitForSelector("#passkeys");
}

async function signOut() {
  await page.goto(`${issuer}/account`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForLoadState();
}

/// "Use a passkey instead" on the sign-in form, for `login` at DEMO.
async function withKey(login) {
  await page.goto(`${issuer}/login`);
  await page.getByLabel("Login Name").fill(login);
  await page.getByLabel("Provider Code").fill("DEMO");
  await page.getByRole("button", { name: "Use a passkey instead" }).click();
  await page.waitForLoadState();
}

try {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const platform = {
    protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
    isUserVerified: true, automaticPresenceSimulation: true,
  };
  const { authenticatorId: laptop } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options: platform });

  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await addKey("Laptop");
  await signOut();

  // F10: Login Name and Provider Code, then the key: no password.
  await withKey("alice");
  await page.screenshot({ path: `${shots}/passkey-sign-in.png`, fullPage: true });
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await page.waitForURL(`${issuer}/account`);
  const activity = JSON.parse(cli(["activity", "list", "--tenant", "DEMO", "--user", "alice", "--json"]));
  assert.ok(activity.some((e) => e.kind === "sign_in" && e.login_type === "passkey"), "F10: recorded as a passkey sign-in");
  await signOut();

  // F12: a relayed ceremony. A page on another origin (a phishing site) gets Lanyard's
  // options for alice and asks her key; Chromium lets it (same host, another port), and the
  // key signs — for that origin, which Lanyard refuses.
  await withKey("alice");
  const options = JSON.parse(await page.locator("#webauthn-options").textContent());
  const phisher = await browser.newPage();
  const elsewhere = new URL(issuer);
  elsewhere.port = String(Number(elsewhere.port) + 50);
  await phisher.route(`${elsewhere.origin}/**`, (route) =>
    route.fulfill({ contentType: "text/html", body: "<!doctype html><title>Sign in</title><p>Sign in</p>" }));
  await phisher.goto(`${elsewhere.origin}/sign-in`);
  const phishCdp = await phisher.context().newCDPSession(phisher);
  await phishCdp.send("WebAuthn.enable");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId: laptop });
  const { authenticatorId: copy } = await phishCdp.send("WebAuthn.addVirtualAuthenticator", { options: platform });
  await phishCdp.send("WebAuthn.addCredential", { authenticatorId: copy, credential: { ...credentials[0], signCount: 500 } });
  const relayed = await phisher.evaluate(async (o) => {
    const buf = (t) => Uint8Array.from(atob(t.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer;
    const txt = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    o.challenge = buf(o.challenge);
    o.allowCredentials.forEach((c) => { c.id = buf(c.id); });
    const c = await navigator.credentials.get({ publicKey: o });
    return JSON.stringify({
      id: c.id, rawId: txt(c.rawId), type: c.type, extensions: {},
      response: { clientDataJSON: txt(c.response.clientDataJSON), authenticatorData: txt(c.response.authenticatorData), signature: txt(c.response.signature) },
    });
  }, options);
  assert.match(Buffer.from(JSON.parse(relayed).response.clientDataJSON, "base64url").toString(), new RegExp(elsewhere.host));
  await phisher.close();
  await page.locator("#webauthn-answer").evaluate((el, v) => { el.value = v; }, relayed);
  await page.locator("#passkey-form").evaluate((form) => form.submit());
  await page.waitForLoadState();
  assert.equal(await page.locator("#form-error").innerText(), "Invalid Credentials", "F12: another origin is refused");

  // A USB security key without user verification, not resident: one factor of two.
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: laptop });
  const usb = {
    protocol: "ctap2", transport: "usb", hasResidentKey: false, hasUserVerification: false,
    automaticPresenceSimulation: true,
  };
  await cdp.send("WebAuthn.addVirtualAuthenticator", { options: usb });
  await page.goto(`${issuer}/login`);
  await signIn(page, "admin", "Lanyard-Admin-1");
  await addKey("YubiKey");
  await signOut();
  await withKey("admin");
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await page.waitForSelector("text=enter your password as well");
  await page.getByLabel("Password", { exact: true }).fill("Lanyard-Admin-1");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL(`${issuer}/account`);
  await signOut();

  // F6, F11: the administrator's reset removes the keys: the password alone signs in again.
  cli(["user", "second-factors", "--tenant", "DEMO", "admin", "--reset"]);
  await page.goto(`${issuer}/login`);
  await signIn(page, "admin", "Lanyard-Admin-1");
  assert.equal(new URL(page.url()).pathname, "/account", "F11: no key is asked after the reset");
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: passwordless passed");
} catch (e) {
  console.error("page at failure:", page.url(), "\n", await page.locator("main, body").first().innerText().catch(() => ""));
  throw e;
} finally {
  await browser.close();
}
