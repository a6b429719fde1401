// A person opens the demo's sign-in page in Chromium and signs in (issue: foundation).
// Usage: node demo_sign_in.mjs <base-url> <screenshot-dir>
import assert from "node:assert/strict";
import { launch } from "./lib.mjs";

const [base, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
try {
  await page.goto(`${base}/login`);
  await page.screenshot({ path: `${shots}/login.png` });
  // L1: the three fields by their labels, and the Forgot Password? link.
  await page.getByLabel("Login Name").fill("alice");
  await page.getByLabel("Password", { exact: true }).fill("wrong-Password1");
  await page.getByLabel("Provider Code").fill("DEMO");
  assert.ok(await page.getByRole("link", { name: "Forgot Password?" }).isVisible());
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
  assert.equal((await page.getByRole("alert").innerText()).trim(), "Invalid Credentials");
  assert.equal(await page.getByLabel("Login Name").inputValue(), "alice", "the login name is kept");
  assert.equal(await page.getByLabel("Password", { exact: true }).inputValue(), "", "the password is not");

  await page.getByLabel("Password", { exact: true }).fill("Lanyard-Demo-1");
  await page.getByLabel("Provider Code").fill("DEMO");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/account`);
  assert.equal((await page.locator("#login-name").innerText()).trim(), "alice");
  await page.screenshot({ path: `${shots}/account.png` });

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#message").innerText(), /signed out/);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: demo sign-in passed");
} finally {
  await browser.close();
}
