// What sign-out ends, in a real browser (issue: what sign-out ends, L6, U4, A1): Care Records
// (A) and Care Connect (B) both register back-channel logout. Alice signs in to A and opens B by
// unified login; A's "Sign out of Care Records and Lanyard" (RP-initiated logout) signs her out
// of A and Lanyard but leaves B signed in, and A asks for the password again. An
// administrator's reset to a temporary password then signs B out too (back-channel logout).
// Usage: node sign_out.mjs <issuer> <screenshot-dir>  (env CARE_RECORDS, CARE_CONNECT, LANYARD_BIN)
import assert from "node:assert/strict";
import { cli, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const a = process.env.CARE_RECORDS;
const b = process.env.CARE_CONNECT;
const { browser, page, violations } = await launch();
const signedInAs = async (p) => ((await p.locator("#user").count()) ? p.locator("#user").innerText() : null);
try {
  await page.goto(a);
  await page.getByRole("link", { name: "Sign in with Lanyard" }).click();
  await page.waitForURL((u) => u.toString().startsWith(`${issuer}/login`));
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL(`${a}/`);
  const [tab] = await Promise.all([
    page.context().waitForEvent("page"),
    page.getByRole("button", { name: "Open Care Connect" }).click(),
  ]);
  await tab.waitForURL(`${b}/`);
  assert.equal(await signedInAs(tab), "alice", "B opens signed in");

  // A's full sign-out goes through Lanyard's end-session and comes back to A.
  await page.getByRole("button", { name: "Sign out of Care Records and Lanyard" }).click();
  await page.waitForURL(`${a}/`);
  assert.equal(await signedInAs(page), null, "signed out of A");
  await tab.reload();
  assert.equal(await signedInAs(tab), "alice", "B stays signed in: no other application is told (L6)");
  await tab.screenshot({ path: `${shots}/b_after_a_signed_out.png` });

  // Lanyard's session is gone: A asks for the password again.
  await page.getByRole("link", { name: "Sign in with Lanyard" }).click();
  await page.waitForURL((u) => u.toString().startsWith(`${issuer}/login`));
  assert.ok(await page.getByLabel("Password", { exact: true }).isVisible(), "the password is asked again");
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.waitForURL(`${a}/`);

  // A1: the administrator's reset ends every session of alice; B hears it by back channel.
  cli(["user", "set-password", "--tenant", "DEMO", "alice", "--temporary", "--password-stdin"], "Temporary-Pass-77\n");
  await tab.reload();
  assert.equal(await signedInAs(tab), null, "the reset signed B out");
  await page.reload();
  assert.equal(await signedInAs(page), null, "the reset signed A out");
  await tab.screenshot({ path: `${shots}/b_after_reset.png` });
  assert.deepEqual(violations, [], "no CSP violations on Lanyard's pages");
  console.log("browser: sign-out passed");
} finally {
  await browser.close();
}
