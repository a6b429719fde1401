// Self password reset in a real browser (issue: self reset): enrol an address from Settings with
// the 6-digit code (S2), sign out, Forgot Password? (S3), the mailed token on Change Password
// (S4), and Login Again with the new password (S6). Mail comes from the demo's file outbox.
// Usage: node self_reset.mjs <issuer> <screenshot-dir>   (env LANYARD_DATA_DIR: the demo's)
import assert from "node:assert/strict";
import { launch, mail, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);

const { browser, page, violations } = await launch();
const status = async () => (await page.getByRole("status").innerText()).trim();
try {
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.getByRole("link", { name: "Settings" }).click();
  await page.getByLabel("Current Password").fill("Lanyard-Demo-1");
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForLoadState();
  let t = Date.now() - 1000;
  await page.getByLabel("Email").fill("alice@example.org");
  await page.getByRole("button", { name: "Send Code" }).click();
  await page.waitForLoadState();
  const code = (await mail("verification code is", t)).match(/code is (\d{6})/)[1];
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Submit" }).click();
  await page.waitForLoadState();
  await page.getByRole("button", { name: "Update" }).click();
  await page.waitForLoadState();
  assert.match(await status(), /Saved/);
  await page.screenshot({ path: `${shots}/settings_saved.png` });
  await page.getByRole("link", { name: "Back" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForLoadState();

  await page.goto(`${issuer}/login`);
  await page.getByRole("link", { name: "Forgot Password?" }).click();
  t = Date.now() - 1000;
  await page.getByLabel("Login Name").fill("alice");
  await page.getByLabel("Provider Code").fill("DEMO");
  await page.getByLabel("Email").fill("alice@example.org");
  await page.getByRole("button", { name: "Submit" }).click();
  await page.waitForLoadState();
  const token = (await mail("password token is", t)).match(/token is ([A-Z0-9]{8})/)[1];
  await page.getByLabel("Password Token").fill(token);
  await page.getByLabel("New Password", { exact: true }).fill("Reset-In-Browser-7");
  await page.getByLabel("Confirm New Password").fill("Reset-In-Browser-7");
  await page.getByRole("button", { name: "Submit" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#message").innerText(), /has been changed/);
  await page.screenshot({ path: `${shots}/reset_done.png` });
  await page.getByRole("link", { name: "Login Again" }).click();
  await signIn(page, "alice", "Reset-In-Browser-7");
  await page.waitForURL(`${issuer}/account`);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: self reset passed");
} finally {
  await browser.close();
}
