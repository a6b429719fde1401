// The administration console's boundaries (issue 13): a provider admin creates a user and makes
// them a user administrator (T2), who then cannot open the provider's settings; an
// administrator of another provider sees nothing of the first (T1). Every refusal is the
// administration API's, shown as a page.
// Usage: node console_roles.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { cli, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
const flash = async (p) => (await p.locator("#flash").innerText()).trim();
try {
  await page.goto(`${issuer}/admin`);
  await signIn(page, "admin", "Lanyard-Admin-1");
  await page.getByLabel("Login name", { exact: true }).fill("helper");
  await page.getByRole("button", { name: "Create user" }).click();
  await page.waitForLoadState();
  const temporary = await page.getByLabel("Temporary password").inputValue();
  await page.getByRole("link", { name: "Done" }).click();
  await page.getByLabel("User administrator (T2)").check();
  await page.getByRole("button", { name: "Save type and role" }).click();
  await page.waitForLoadState();
  assert.equal(await flash(page), "Type and role saved.");
  assert.match(await page.locator("#user-type").innerText(), /user administrator/);

  // The user administrator signs in (choosing their own password first, L4).
  const helper = await (await browser.newContext()).newPage();
  await helper.goto(`${issuer}/admin`);
  await signIn(helper, "helper", temporary);
  assert.match(helper.url(), /\/password\/change/);
  await helper.getByLabel("New Password", { exact: true }).fill("Helper-Chosen-42");
  await helper.getByLabel("Confirm New Password").fill("Helper-Chosen-42");
  await helper.getByRole("button", { name: "Update" }).click();
  await helper.waitForURL(/\/admin\/providers\/DEMO\/users$/);
  assert.equal(await helper.locator("#signed-in-type").innerText(), "User administrator");
  assert.equal(await helper.getByRole("navigation").getByRole("link", { name: "Settings" }).count(), 0);
  let res = await helper.goto(`${issuer}/admin/providers/DEMO/settings`);
  assert.equal(res.status(), 403);
  assert.equal(await helper.locator("h1").innerText(), "Not allowed");
  res = await helper.goto(`${issuer}/admin/providers/DEMO/users/admin`);
  assert.equal(res.status(), 403, "a user administrator administers no administrator");
  assert.match(await helper.locator("#message").innerText(), /more rights/);
  res = await helper.goto(`${issuer}/admin/providers/DEMO/users/alice`);
  assert.equal(res.status(), 200, "but does administer the provider's users");
  assert.equal(await helper.getByRole("heading", { name: "Type and role" }).count(), 0);
  await helper.screenshot({ path: `${shots}/console_user_administrator.png`, fullPage: true });

  // Another provider's administrator.
  cli(["tenant", "create", "OTHER", "--name", "Other Agency"]);
  cli(["user", "create", "--tenant", "OTHER", "otheradmin", "--type", "provider-admin", "--password-stdin", "--permanent"],
      "Other-Admin-Pass-1\n");
  const other = await (await browser.newContext()).newPage();
  await other.goto(`${issuer}/admin`);
  await signIn(other, "otheradmin", "Other-Admin-Pass-1", "OTHER");
  assert.equal(new URL(other.url()).pathname, "/admin/providers/OTHER/users");
  assert.doesNotMatch(await other.locator("#users").innerText(), /alice/);
  for (const path of ["/admin/providers/DEMO/users", "/admin/providers/DEMO/users/alice",
                      "/admin/providers/DEMO/activity", "/admin/providers/DEMO/activity.csv",
                      "/admin/providers/DEMO/settings"]) {
    res = await other.goto(`${issuer}${path}`);
    assert.equal(res.status(), 404, `${path}: another provider's things do not exist`);
    assert.doesNotMatch(await other.content(), /alice|Demo Agency/, path);
  }
  res = await other.goto(`${issuer}/admin/applications`);
  assert.equal(res.status(), 403, "applications are the platform's");
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: console roles passed");
} finally {
  await browser.close();
}
