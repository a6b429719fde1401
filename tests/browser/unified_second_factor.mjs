// Unified login keeps the level, in a real browser (issue 27, F8): alice is signed in to Care
// Records with her password from before she set up an authenticator app; Care Connect now
// requires a second factor (F4), so its tab asks her for the app's code alone — no password —
// and opens as a unified login (U4); the next hand-off opens it without asking.
// Usage: node unified_second_factor.mjs <issuer> <screenshot-dir>  (env CARE_RECORDS, CARE_CONNECT, LANYARD_BIN)
import assert from "node:assert/strict";
import { appCode, cli, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const a = process.env.CARE_RECORDS;
const b = process.env.CARE_CONNECT;
const { browser, page, violations } = await launch();
try {
  await page.goto(a);
  await page.getByRole("link", { name: "Sign in with Lanyard" }).click();
  await page.waitForURL((u) => u.toString().startsWith(`${issuer}/login`));
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL(`${a}/`);

  // Meanwhile, in another browser, alice sets up an authenticator app.
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${issuer}/login`);
  await signIn(other, "alice", "Lanyard-Demo-1");
  await other.goto(`${issuer}/settings/authenticator`);
  await other.getByRole("button", { name: "Set up an authenticator app" }).click();
  await other.waitForLoadState();
  const secret = (await other.locator("#secret").innerText()).trim();
  await other.getByLabel("Code from the app").fill(appCode(secret));
  await other.getByRole("button", { name: "Confirm" }).click();
  await other.waitForLoadState();
  assert.equal((await other.locator("#recovery-codes code").allInnerTexts()).length, 10);

  // The operator makes Care Connect require a second factor; the running server's client
  // cache holds a registration for at most five seconds.
  const strict = JSON.parse(cli(["client", "update", "care-connect", "--require-mfa", "on", "--json"]));
  assert.equal(strict.require_mfa, true);
  await new Promise((r) => setTimeout(r, 6000));

  const open = async () => {
    const [tab] = await Promise.all([
      page.context().waitForEvent("page"),
      page.getByRole("button", { name: "Open Care Connect" }).click(),
    ]);
    await tab.waitForLoadState();
    return tab;
  };
  const tab = await open();
  await tab.waitForURL((u) => u.pathname === "/sign-in/second-factor");
  assert.equal(await tab.getByLabel("Password", { exact: true }).count(), 0, "F8: no password asked");
  assert.ok(!(await tab.content()).includes("alice"), "F5: the code page names no one");
  await tab.screenshot({ path: `${shots}/unified_second_factor.png`, fullPage: true });
  await tab.getByLabel("Code").fill(appCode(secret, 1));
  await tab.getByRole("button", { name: "Continue" }).click();
  await tab.waitForURL(`${b}/`);
  assert.equal(await tab.locator("#user").innerText(), "alice", "B opens signed in as the same user");
  assert.match(await tab.locator("#initiated").innerText(), /Care Records/, "still a unified login (U4)");
  await tab.close();

  // The session has proved the app now: the next hand-off opens B without asking.
  const again = await open();
  await again.waitForURL(`${b}/`);
  assert.equal(await again.locator("#user").innerText(), "alice");
  assert.deepEqual(violations, [], "no CSP violations on Lanyard's pages");
  console.log("browser: unified login with a second factor passed");
} finally {
  await browser.close();
}
