// Second factors in a real browser (issue 27): alice enrols an authenticator app from Settings
// by reading the key off the page (F2), keeps her recovery codes (F3), signs in with a code
// from the "app" (F5) and with a recovery code; the demo's provider admin resets her factors
// from the console (F6) and she signs in with her password alone, enrols again and removes the
// app herself (F2). CLINIC's
// administrator must set one up at the first sign-in (F4).
// Usage: node second_factor.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { appCode, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);

const { browser, page, violations } = await launch();
const admin = await (await browser.newContext()).newPage();

async function enrol() {
  await page.goto(`${issuer}/settings`);
  await page.getByRole("link", { name: /Authenticator app/ }).click();
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.waitForLoadState();
  assert.ok(await page.locator("#qr svg").isVisible(), "the QR code is drawn on the page");
  const secret = (await page.locator("#secret").innerText()).trim();
  await page.getByLabel("Code from the app").fill(appCode(secret));
  await page.getByRole("button", { name: "Confirm" }).click();
  await page.waitForLoadState();
  const codes = await page.locator("#recovery-codes code").allInnerTexts();
  assert.equal(codes.length, 10, "F3: ten recovery codes, shown once");
  return { secret, codes };
}

async function signOut() {
  await page.goto(`${issuer}/account`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForLoadState();
}

try {
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.goto(`${issuer}/settings/authenticator`);
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await page.waitForLoadState();
  await page.screenshot({ path: `${shots}/second_factor_enrol.png`, fullPage: true });
  const { secret, codes } = await enrol();
  await page.screenshot({ path: `${shots}/second_factor_codes.png`, fullPage: true });
  await page.getByRole("link", { name: "Done" }).click();
  assert.match(await page.locator("#app-status").innerText(), /is set up/);
  await signOut();

  // The password, then a code from the app (the next step: the enrolment used this one).
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  assert.equal(new URL(page.url()).pathname, "/sign-in/second-factor", "F1: the code comes next");
  assert.ok(!(await page.content()).includes("alice"), "F5: the code page names no one");
  await page.screenshot({ path: `${shots}/second_factor_code.png`, fullPage: true });
  await page.getByLabel("Code").fill(appCode(secret, 1));
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(`${issuer}/account`);
  await signOut();

  // A recovery code instead.
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.getByLabel("Code").fill(codes[0].toLowerCase());
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForURL(`${issuer}/account`);

  // The provider admin resets alice's factors from the console (F6): her session ends.
  await admin.goto(`${issuer}/admin`);
  await signIn(admin, "admin", "Lanyard-Admin-1");
  await admin.goto(`${issuer}/admin/providers/DEMO/users/alice`);
  assert.match(await admin.locator("#second-factor").innerText(), /Recovery codes left: 9/);
  await admin.getByRole("button", { name: "Reset second factors" }).click();
  await admin.waitForLoadState();
  await admin.getByRole("button", { name: "Reset second factors" }).click();
  await admin.waitForLoadState();
  assert.match(await admin.locator("#second-factor").innerText(), /No second factor/);
  await page.goto(`${issuer}/account`);
  assert.match(page.url(), /\/login/, "F6: every session of alice ended");

  // The password alone signs her in now; she enrols again.
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL(`${issuer}/account`);
  await enrol();

  // F2: she removes it herself (no verified address: no mailed code to type); the next
  // sign-in asks for the password alone.
  await page.getByRole("link", { name: "Done" }).click();
  await page.getByRole("button", { name: "Remove the app" }).click();
  await page.waitForLoadState();
  await page.getByRole("button", { name: "Remove the app" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#app-status").innerText(), /No authenticator app/);
  await signOut();
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL(`${issuer}/account`);

  // F4: CLINIC requires a second factor of its administrators: the first sign-in sets one up.
  const clinic = await (await browser.newContext()).newPage();
  await clinic.goto(`${issuer}/login`);
  await signIn(clinic, "clinic-admin", "Lanyard-Clinic-1", "CLINIC");
  assert.equal(new URL(clinic.url()).pathname, "/sign-in/second-factor/setup", "F1, F4: set up first");
  assert.match(await clinic.locator("#setup-reason").innerText(), /required/);
  await clinic.screenshot({ path: `${shots}/second_factor_required_setup.png`, fullPage: true });
  const key = (await clinic.locator("#secret").innerText()).trim();
  await clinic.getByLabel("Code from the app").fill(appCode(key));
  await clinic.getByRole("button", { name: "Confirm" }).click();
  await clinic.waitForLoadState();
  assert.equal((await clinic.locator("#recovery-codes code").allInnerTexts()).length, 10);
  await clinic.getByRole("link", { name: "Continue" }).click();
  await clinic.waitForURL(`${issuer}/account`);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: second factors passed");
} finally {
  await browser.close();
}
