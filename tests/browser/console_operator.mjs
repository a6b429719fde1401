// The administration console as a platform operator (issue 13): register an application (the
// secret shown once, with a copy button), edit its URIs, rotate its secret, disable it (T4);
// approve a locked-out super admin's request for a reset link (A2).
// Usage: node console_operator.mjs <issuer> <screenshot-dir>   (env LANYARD_DATA_DIR: the demo's)
import assert from "node:assert/strict";
import { cli, enrolEmail, launch, mail, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
const flash = async () => (await page.locator("#flash").innerText()).trim();
try {
  // DEMO's super admin confirms an address (S2), then is locked out and asks for help (A2).
  cli(["user", "create", "--tenant", "DEMO", "boss", "--type", "super-admin", "--password-stdin", "--permanent"],
      "Boss-Password-77\n");
  cli(["user", "set", "--tenant", "DEMO", "boss", "--self-reset", "on"]);
  const boss = await (await browser.newContext()).newPage();
  await boss.goto(`${issuer}/login`);
  await signIn(boss, "boss", "Boss-Password-77");
  await boss.goto(`${issuer}/settings`);
  await enrolEmail(boss, "Boss-Password-77", "boss@example.org");
  cli(["user", "lock", "--tenant", "DEMO", "boss"]);
  await boss.goto(`${issuer}/login/help`);
  await boss.getByLabel("Provider Code").fill("DEMO");
  await boss.getByLabel("Login Name").fill("boss");
  await boss.getByRole("button", { name: "Ask the platform operators" }).click();
  await boss.waitForLoadState();

  await page.goto(`${issuer}/admin`);
  await signIn(page, "operator", "Lanyard-Operator-1", "PLATFORM");
  assert.equal(new URL(page.url()).pathname, "/admin");
  assert.equal(await page.locator("#signed-in-type").innerText(), "Platform operator");
  assert.match(await page.locator("table").innerText(), /DEMO/);

  // Register an application.
  await page.getByRole("navigation").getByRole("link", { name: "Applications" }).click();
  await page.getByLabel("Name", { exact: true }).fill("Case Notes");
  await page.getByLabel("Client ID (optional; generated when empty)").fill("case-notes");
  await page.getByLabel(/Providers whose users/).fill("DEMO");
  await page.getByLabel("Redirect URIs (one per line)", { exact: true }).fill("https://notes.example.org/callback\nnot a url");
  await page.getByRole("button", { name: "Register" }).click();
  await page.waitForLoadState();
  assert.match(await page.getByRole("alert").innerText(), /not an absolute URL/, "a bad URI is named");
  assert.equal(await page.getByLabel("Name", { exact: true }).inputValue(), "Case Notes", "the form keeps what was typed");
  await page.getByLabel("Redirect URIs (one per line)", { exact: true }).fill("https://notes.example.org/callback");
  await page.getByRole("button", { name: "Register" }).click();
  await page.waitForLoadState();
  assert.equal(await page.locator("#client-id").innerText(), "case-notes");
  const secret = await page.getByLabel("Client secret").inputValue();
  assert.ok(secret.length >= 40, secret);
  assert.ok(await page.getByRole("button", { name: "Copy" }).isVisible());
  await page.screenshot({ path: `${shots}/console_application_registered.png`, fullPage: true });
  const registered = JSON.parse(cli(["client", "show", "case-notes", "--json"]));
  assert.deepEqual(registered.redirect_uris, ["https://notes.example.org/callback"]);

  // Edit the URIs, rotate the secret, disable.
  await page.getByRole("link", { name: "Done" }).click();
  await page.getByLabel("Redirect URIs (one per line)", { exact: true }).fill("https://notes.example.org/callback\nhttps://notes.example.org/cb2");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.waitForLoadState();
  assert.equal(await flash(), "Application saved.");
  assert.equal(JSON.parse(cli(["client", "show", "case-notes", "--json"])).redirect_uris.length, 2);
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.getByRole("button", { name: "Rotate secret" }).click();
  await page.waitForLoadState();
  const rotated = await page.getByLabel("Client secret").inputValue();
  assert.notEqual(rotated, secret);
  await page.getByRole("link", { name: "Done" }).click();
  await page.getByRole("button", { name: "Disable" }).click();
  assert.match(await page.locator("#question").innerText(), /Disable this application/);
  await page.getByRole("button", { name: "Disable" }).click();
  await page.waitForLoadState();
  assert.equal(await flash(), "Application disabled.");
  assert.match(await page.locator("#app-status").innerText(), /^Disabled/);

  // A2: approve the super admin's request; the link goes to their confirmed address.
  await page.getByRole("navigation").getByRole("link", { name: "Requests" }).click();
  const request = page.locator('tr[data-login="boss"]');
  assert.match(await request.innerText(), /DEMO/);
  await page.screenshot({ path: `${shots}/console_requests.png`, fullPage: true });
  const before = Date.now() - 1000;
  await request.getByRole("button", { name: /Approve/ }).click();
  await page.getByRole("button", { name: "Approve" }).click();
  await page.waitForLoadState();
  assert.equal(await flash(), "Approved: the link was mailed to the super admin.");
  const link = await mail("boss@example.org", before);
  assert.match(link, /\/recover\?/);
  assert.ok(!(await page.content()).includes("/recover?"), "the operator never sees the link");
  assert.equal(await page.locator('tr[data-login="boss"]').count(), 0, "no longer waiting");
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: console as a platform operator passed");
} finally {
  await browser.close();
}
