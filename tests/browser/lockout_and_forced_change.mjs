// Sign-in rules in a real browser (issue: sign-in rules): three wrong passwords lock the account
// (L3), an administrator unlocks it and sets a temporary password with the CLI (A1), the forced
// change shows the policy's messages (L4, L5), and then the OIDC flow completes.
// Usage: node lockout_and_forced_change.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { authorizeRequest, cli, launch, signIn, startRp } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const LOCKED = "Your account has been locked. Please contact your agency administrator.";
const rp = await startRp();
const { browser, page, violations } = await launch();
const alert = async () => (await page.getByRole("alert").innerText()).trim();
try {
  await page.goto(`${issuer}/login`);
  for (const [i, expected] of ["Invalid Credentials", "Invalid Credentials", LOCKED].entries()) {
    await signIn(page, "alice", `Wrong-Guess-${i}!`);
    assert.equal(await alert(), expected, `attempt ${i + 1}`);
  }
  await signIn(page, "alice", "Lanyard-Demo-1");
  assert.equal(await alert(), LOCKED, "the right password does not get past a lock");
  await page.screenshot({ path: `${shots}/locked.png` });

  cli(["user", "unlock", "--tenant", "DEMO", "alice"]);
  cli(["user", "set-password", "--tenant", "DEMO", "alice", "--temporary", "--password-stdin"], "Temporary-Pass-77\n");

  const req = authorizeRequest(issuer, rp);
  await page.goto(req.url);
  await signIn(page, "alice", "Temporary-Pass-77");
  assert.match(page.url(), /\/password\/change\?auth=/);
  assert.equal(rp.arrived.length, 0, "no code before the change (L4)");
  await page.getByLabel("New Password", { exact: true }).fill("short");
  await page.getByLabel("Confirm New Password").fill("short");
  await page.getByRole("button", { name: "Update" }).click();
  await page.waitForLoadState();
  const errors = await alert();
  assert.match(errors, /at least 8 characters/);
  assert.match(errors, /upper-case letter/);
  await page.screenshot({ path: `${shots}/forced_change_errors.png` });

  await page.getByLabel("New Password", { exact: true }).fill("Chosen-Carefully-9");
  await page.getByLabel("Confirm New Password").fill("Chosen-Carefully-9");
  await page.getByRole("button", { name: "Update" }).click();
  await page.waitForURL((u) => u.toString().startsWith(rp.redirectUri));
  assert.equal(rp.arrived.length, 1);
  assert.ok(rp.arrived[0].searchParams.get("code"));
  assert.equal(rp.arrived[0].searchParams.get("state"), req.state);
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: lockout and forced change passed");
} finally {
  await browser.close();
  rp.server.close();
}
