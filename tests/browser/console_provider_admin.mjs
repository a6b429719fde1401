// The administration console as a provider administrator (issue 13): sign in on the ordinary
// sign-in page, unlock a locked user with the keyboard alone (A1), reset a password to a
// temporary one the user must change (A1, L4), switch self reset per user (S1), change the
// lockout threshold (L3), read and download the activity record (L7), all readable at 360 px.
// Usage: node console_provider_admin.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { cli, fitsPhone, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
const person = await (await browser.newContext()).newPage();
const flash = async () => (await page.locator("#flash").innerText()).trim();
const row = (login) => page.locator(`tr[data-login="${login}"]`);
try {
  // alice locks herself out in her own browser (L3).
  await person.goto(`${issuer}/login`);
  for (let i = 0; i < 3; i++) await signIn(person, "alice", `Wrong-Guess-${i}!`);

  await page.goto(`${issuer}/admin`);
  assert.match(page.url(), /\/login\?auth=/, "the console signs in on Lanyard's own page");
  await signIn(page, "admin", "Lanyard-Admin-1");
  assert.equal(new URL(page.url()).pathname, "/admin/providers/DEMO/users");
  assert.equal(await page.locator("#signed-in-type").innerText(), "Provider Admin", "A3 in the sign-out panel");
  assert.match(await row("alice").innerText(), /Password locked/);
  assert.match(await row("admin").innerText(), /Provider Admin/);
  await page.screenshot({ path: `${shots}/console_users.png`, fullPage: true });

  // Unlock with the keyboard alone.
  await row("alice").getByRole("link", { name: "alice" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForURL(/\/users\/alice$/);
  assert.match(await page.locator("#user-status").innerText(), /Password locked after 3 wrong passwords/);
  await page.getByRole("button", { name: "Unlock" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForLoadState();
  assert.equal(await flash(), "alice is now active.");
  assert.equal(await page.locator("#user-status").innerText(), "Active");

  // Reset to a temporary password: confirmed first, shown once, then the user must change it.
  await page.getByRole("button", { name: "Reset to a temporary password" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#question").innerText(), /must choose a new password/);
  await page.getByRole("button", { name: "Reset password" }).click();
  await page.waitForLoadState();
  const temporary = await page.getByLabel("Temporary password").inputValue();
  assert.ok(temporary.length >= 20, temporary);
  assert.ok(await page.getByRole("button", { name: "Copy" }).isVisible(), "the copy button's script ran");
  await page.screenshot({ path: `${shots}/console_temporary_password.png`, fullPage: true });
  await person.goto(`${issuer}/login`);
  await signIn(person, "alice", temporary);
  assert.match(person.url(), /\/password\/change/, "L4: the temporary password must be changed");
  await page.getByRole("link", { name: "Done" }).click();
  assert.equal(await page.locator("#must-change").innerText(), "Yes");
  assert.ok(!(await page.content()).includes(temporary), "the password is not shown again");

  // S1 per user, from the list.
  await page.getByRole("navigation").getByRole("link", { name: "Users" }).click();
  await row("alice").getByRole("button", { name: /Disable/ }).click();
  await page.waitForLoadState();
  assert.equal(await flash(), "Self password reset disabled for alice.");
  assert.equal(await row("alice").locator(".state").innerText(), "Disabled");
  await row("alice").getByRole("button", { name: /Enable/ }).click();
  await page.waitForLoadState();
  assert.equal(await row("alice").locator(".state").innerText(), "Enabled");

  // The lockout threshold (L3): a wrong entry is a field message, a right one is saved.
  await page.getByRole("navigation").getByRole("link", { name: "Settings" }).click();
  const threshold = page.getByLabel(/Lockout threshold/);
  assert.equal(await threshold.inputValue(), "3");
  await threshold.fill("many");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("#max_failed_attempts-error").innerText(), "Enter a whole number.");
  assert.equal(await threshold.inputValue(), "many", "what was typed is kept");
  await threshold.fill("5");
  await page.getByRole("button", { name: "Save settings" }).click();
  await page.waitForLoadState();
  assert.equal(await flash(), "Settings saved.");
  assert.equal(await threshold.inputValue(), "5");
  assert.match(await page.locator("#unified-login").innerText(), /A platform operator switches it/, "U1 is read-only here");
  assert.equal(JSON.parse(cli(["tenant", "show", "DEMO", "--json"])).password_policy.max_failed_attempts, 5);

  // Activity: filtered, and downloaded as CSV.
  await page.getByRole("navigation").getByRole("link", { name: "Activity" }).click();
  await page.getByLabel("User (login name)").fill("alice");
  await page.getByRole("button", { name: "Filter" }).click();
  await page.waitForLoadState();
  const table = await page.locator("#activity").innerText();
  assert.match(table, /user:DEMO\/admin/, "the record names the administrator");
  assert.match(table, /sign_in_failed/);
  assert.doesNotMatch(table, /^.*\tadmin\t/m, "only alice's entries");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download CSV" }).click(),
  ]);
  const csv = readFileSync(await download.path(), "utf8").split("\r\n");
  assert.equal(csv[0], "id,at,login_name,kind,detail,login_type,client_id,ip,user_agent,actor");
  assert.ok(csv.length > 4 && csv.slice(1).filter(Boolean).every((l) => l.split(",")[2] === '"alice"'), csv.join("\n"));

  // A phone's width.
  await page.setViewportSize({ width: 360, height: 740 });
  for (const path of ["users", "users/alice", "settings", "activity"]) {
    await page.goto(`${issuer}/admin/providers/DEMO/${path}`);
    assert.ok(await fitsPhone(page), `${path} fits 360 px`);
  }
  await page.goto(`${issuer}/admin/providers/DEMO/users/alice`);
  await page.screenshot({ path: `${shots}/console_user_phone.png`, fullPage: true });
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: console as a provider administrator passed");
} finally {
  await browser.close();
}
