// Unified login in a real browser (issue: unified login, U1–U4, L6): sign in to Care Records,
// click its button, a new tab shows Care Connect signed in as the same user; Care Connect's
// activity says "Login initiated from Care Records"; signing out of Care Records leaves Care
// Connect signed in.
// Usage: node unified_login.mjs <issuer> <screenshot-dir>  (env CARE_RECORDS, CARE_CONNECT, LANYARD_BIN)
import assert from "node:assert/strict";
import { cli, launch, signIn } from "./lib.mjs";

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
  assert.equal(await page.locator("#user").innerText(), "alice");
  await page.screenshot({ path: `${shots}/care_records.png` });

  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.getByRole("button", { name: "Open Care Connect" }).click(),
  ]);
  await tab.waitForURL(`${b}/`);
  assert.equal(await tab.locator("#user").innerText(), "alice", "B opens signed in as the same user");
  assert.match(await tab.locator("#initiated").innerText(), /Care Records/);
  await tab.screenshot({ path: `${shots}/care_connect.png` });

  const activity = JSON.parse(cli(["activity", "list", "--tenant", "DEMO", "--user", "alice", "--json"]));
  assert.ok(activity.some((e) => e.client_id === "care-connect" && e.login_type === "Login initiated from Care Records"),
    "B's activity record (U4)");

  await page.getByRole("button", { name: "Sign out of Care Records", exact: true }).click();
  await page.waitForURL(`${a}/`);
  assert.ok(await page.getByRole("link", { name: "Sign in with Lanyard" }).isVisible(), "signed out of A");
  await tab.reload();
  assert.equal(await tab.locator("#user").innerText(), "alice", "B stays signed in (L6)");
  assert.deepEqual(violations, [], "no CSP violations on Lanyard's pages");
  console.log("browser: unified login passed");
} finally {
  await browser.close();
}
