// Invitations in a real browser (issue 14): a provider admin invites a person from the console
// (P1); the person registers from the mailed link and is signed in; disabled, they are refused
// with the generic answer even with the right password (P2); enabled, they sign in again; staff
// send a reset link (P3) and the new password works.
// Usage: node invitations.mjs <issuer> <screenshot-dir>   (env LANYARD_DATA_DIR: the demo's)
import assert from "node:assert/strict";
import { launch, mail, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
const person = await (await browser.newContext()).newPage();
const flash = async () => (await page.locator("#flash").innerText()).trim();
const row = () => page.locator('tr[data-email="sam@example.org"]');
const linkIn = (text, path) => text.match(new RegExp(`https?://\\S*${path.replace("?", "\\?")}[A-Za-z0-9_.-]+`))[0];
try {
  await page.goto(`${issuer}/admin`);
  await signIn(page, "admin", "Lanyard-Admin-1");
  await page.getByRole("navigation").getByRole("link", { name: "Invitations" }).click();
  let t = Date.now() - 1000;
  await page.getByLabel("Name", { exact: true }).fill("Sam Client");
  await page.getByLabel("Email address").fill("sam@example.org");
  await page.getByRole("button", { name: "Send invitation" }).click();
  await page.waitForLoadState();
  assert.equal(await flash(), "Invitation sent to sam@example.org.");
  assert.match(await row().innerText(), /Invited, no account yet/);
  const invitation = await mail("sam@example.org", t);
  assert.match(invitation, /spam/);

  // The person registers and is signed in.
  await person.goto(linkIn(invitation, "/invitation?token="));
  await person.getByLabel("Login Name").fill("samclient");
  await person.getByLabel("New Password", { exact: true }).fill("short");
  await person.getByLabel("Confirm New Password").fill("short");
  await person.getByRole("button", { name: "Create account" }).click();
  await person.waitForLoadState();
  assert.match(await person.getByRole("alert").innerText(), /at least 8 characters/);
  assert.equal(await person.getByLabel("Login Name").inputValue(), "samclient", "what was typed is kept");
  await person.getByLabel("New Password", { exact: true }).fill("Sam-Chooses-This-1");
  await person.getByLabel("Confirm New Password").fill("Sam-Chooses-This-1");
  await person.getByRole("button", { name: "Create account" }).click();
  await person.waitForURL(/\/account$/);
  assert.match(await person.content(), /samclient/);
  await person.screenshot({ path: `${shots}/invitation_registered.png` });
  await person.getByRole("button", { name: "Sign out" }).click();
  await person.waitForLoadState();

  // Staff see the username; disabling refuses the right password with the generic answer.
  await page.reload();
  assert.match(await row().innerText(), /Active/);
  assert.match(await row().innerText(), /samclient/);
  await row().getByRole("button", { name: /Disable/ }).click();
  await page.getByRole("button", { name: "Deactivate" }).click();
  await page.waitForLoadState();
  assert.match(await flash(), /samclient is now deactivated/);
  assert.match(await row().innerText(), /Disabled/);
  await page.screenshot({ path: `${shots}/console_invitations.png`, fullPage: true });
  await person.goto(`${issuer}/login`);
  await signIn(person, "samclient", "Sam-Chooses-This-1");
  assert.equal((await person.getByRole("alert").innerText()).trim(), "Invalid Credentials");

  await row().getByRole("button", { name: /Enable/ }).click();
  await page.waitForLoadState();
  assert.match(await row().innerText(), /Active/);
  await person.goto(`${issuer}/login`);
  await signIn(person, "samclient", "Sam-Chooses-This-1");
  await person.waitForURL(/\/account$/);
  await person.getByRole("button", { name: "Sign out" }).click();
  await person.waitForLoadState();

  // P3: a reset link from staff; the mail does not show the username.
  t = Date.now() - 1000;
  await row().getByRole("button", { name: /Send reset link/ }).click();
  await page.waitForLoadState();
  assert.match(await flash(), /password-reset link was sent/);
  const reset = await mail("/password/link?token=", t);
  assert.doesNotMatch(reset, /samclient/);
  await person.goto(linkIn(reset, "/password/link?token="));
  await person.getByLabel("New Password", { exact: true }).fill("Sam-Second-Choice-2");
  await person.getByLabel("Confirm New Password").fill("Sam-Second-Choice-2");
  await person.getByRole("button", { name: "Update" }).click();
  await person.waitForLoadState();
  assert.match(await person.locator("#message").innerText(), /Your password has been changed/);
  await person.getByRole("link", { name: "Login Again" }).click();
  await signIn(person, "samclient", "Sam-Second-Choice-2");
  await person.waitForURL(/\/account$/);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: invitations passed");
} finally {
  await browser.close();
}
