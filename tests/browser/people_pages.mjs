// The people's pages (issue 17) in Chromium: "Trouble signing in?" from the sign-in page (the
// provider's contact line only after its code is typed), the Caps Lock warning appearing and
// going, and changing one's password at will — a wrong current password counted towards L3,
// success signing out the other browser's session.
// Usage: node people_pages.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { cli, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
const alert = async () => (await page.getByRole("alert").innerText()).trim();
try {
  // Help, from the sign-in page.
  await page.goto(`${issuer}/login`);
  await page.getByRole("link", { name: "Trouble signing in?" }).click();
  await page.waitForURL(`${issuer}/help`);
  const help = await page.locator("main").innerText();
  for (const words of [/Caps Lock/, /Provider Code[\s\S]*case-sensitive/, /three wrong passwords/, /Nobody will ever ask you for your password/]) {
    assert.match(help, words);
  }
  assert.ok(await page.getByRole("link", { name: "status page" }).isVisible());
  assert.doesNotMatch(help, /front desk/, "no contact line before a code is typed");
  await page.getByLabel("Provider Code").fill("demo");
  await page.getByRole("button", { name: "Show how to reach them" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#help-contact").innerText(), /No contact is listed/, "codes are case-sensitive");
  await page.getByLabel("Provider Code").fill("DEMO");
  await page.getByRole("button", { name: "Show how to reach them" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#help-contact").innerText(), /Demo Agency front desk/);
  await page.screenshot({ path: `${shots}/help.png` });

  // Caps Lock: the warning appears while it is on, and goes when it is off.
  await page.goto(`${issuer}/login`);
  const password = page.getByLabel("Password", { exact: true });
  const warning = page.getByText("Caps Lock is on.");
  await password.focus();
  assert.equal(await warning.isVisible(), false);
  await page.keyboard.press("CapsLock");
  await warning.waitFor({ state: "visible" });
  assert.equal(await password.getAttribute("aria-describedby"), await warning.getAttribute("id"));
  await page.screenshot({ path: `${shots}/caps_lock.png` });
  await page.keyboard.press("CapsLock");
  await warning.waitFor({ state: "hidden" });

  // Another browser signed in as alice: its session ends when alice changes her password here.
  const other = await browser.newPage();
  await other.goto(`${issuer}/login`);
  await signIn(other, "alice", "Lanyard-Demo-1");
  await other.waitForURL(`${issuer}/account`);

  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL(`${issuer}/account`);
  await page.getByRole("link", { name: "Change Password" }).click();
  await page.waitForURL(`${issuer}/password/change`);
  await page.getByLabel("Current Password").fill("Not-My-Password-1");
  await page.getByLabel("New Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm New Password").fill("short");
  await page.getByRole("button", { name: "Update" }).click();
  await page.waitForLoadState();
  const errors = await alert();
  assert.match(errors, /The current password is not correct/);
  assert.match(errors, /at least 8 characters/, "the policy's messages at once");
  // Counted towards L3 like a sign-in, and recorded.
  const activity = JSON.parse(cli(["activity", "list", "--tenant", "DEMO", "--user", "alice", "--json"]));
  assert.ok(activity.some((e) => e.kind === "sign_in_failed" && /Change Password/.test(e.detail)), JSON.stringify(activity));
  await page.screenshot({ path: `${shots}/change_password_errors.png` });

  await page.getByLabel("Current Password").fill("Lanyard-Demo-1");
  await page.getByLabel("New Password", { exact: true }).fill("Brand-New-Choice-8");
  await page.getByLabel("Confirm New Password").fill("Brand-New-Choice-8");
  await page.getByRole("button", { name: "Update" }).click();
  await page.waitForURL(`${issuer}/account?changed=1`);
  assert.match(await page.locator("#notice").innerText(), /signed out everywhere else/);
  assert.equal((await page.locator("#login-name").innerText()).trim(), "alice", "still signed in here");

  await other.goto(`${issuer}/account`);
  await other.waitForURL(/\/login/);
  await signIn(other, "alice", "Lanyard-Demo-1");
  assert.equal((await other.getByRole("alert").innerText()).trim(), "Invalid Credentials", "the old password is gone");
  await signIn(other, "alice", "Brand-New-Choice-8");
  await other.waitForURL(`${issuer}/account`);
  const after = JSON.parse(cli(["activity", "list", "--tenant", "DEMO", "--user", "alice", "--json"]));
  assert.ok(after.some((e) => e.kind === "password_changed"), "the change is in the activity record");
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: people's pages passed");
} finally {
  await browser.close();
}
