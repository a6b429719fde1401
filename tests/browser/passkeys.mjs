// Passkeys in a real browser (issue 28, F9, F10, F12) with Chromium's virtual authenticator
// (CDP WebAuthn): alice adds a passkey in Settings, signs in with her password and then the key,
// a clone of the key with its sign counter behind is refused, and she removes the key. Real ceremonies: the browser signs, Lanyard verifies with webauthn-rs.
// Usage: node passkeys.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { cli, launch, signIn } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
page.on("console", (m) => console.error("console:", m.text()));
try {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const options = {
    protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
    isUserVerified: true, automaticPresenceSimulation: true,
  };
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options });

  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.goto(`${issuer}/settings`);
  await page.getByRole("link", { name: "Passkeys and security keys" }).click();
  await page.getByLabel("Name").fill("Work laptop");
  await page.getByRole("button", { name: "Continue" }).click();
  await page.waitForLoadState();
  await page.getByRole("button", { name: "Add the key" }).click();
  await page.waitForURL(`${issuer}/settings/passkeys`);
  await page.waitForSelector("#passkeys");
  const name = page.locator("#passkeys input[name=name]");
  assert.equal(await name.inputValue(), "Work laptop", "F9: the key is listed by its name");
  await page.screenshot({ path: `${shots}/passkeys.png`, fullPage: true });
  await name.fill("Laptop");
  await page.getByRole("button", { name: "Rename" }).click();
  await page.waitForSelector(".notice");
  assert.equal(await page.locator("#passkeys input[name=name]").inputValue(), "Laptop", "F9: renamed");

  await page.goto(`${issuer}/account`);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForLoadState();
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  assert.equal(new URL(page.url()).pathname, "/sign-in/second-factor", "F10: the key comes after the password");
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await page.waitForURL(`${issuer}/account`);

  // F10: a cloned key — the same private key, its sign counter behind — is refused, recorded.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1);
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  const swap = async (signCount) => {
    const { authenticatorId: id } = await cdp.send("WebAuthn.addVirtualAuthenticator", { options });
    await cdp.send("WebAuthn.addCredential", { authenticatorId: id, credential: { ...credentials[0], signCount } });
    return id;
  };
  const clone = await swap(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForLoadState();
  await page.goto(`${issuer}/login`);
  await signIn(page, "alice", "Lanyard-Demo-1");
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await page.waitForSelector("#form-error");
  assert.match(await page.locator("#form-error").innerText(), /not accepted/, "F10: a counter gone back is refused");
  const activity = JSON.parse(cli(["activity", "list", "--tenant", "DEMO", "--user", "alice", "--json"]));
  assert.ok(activity.some((e) => /sign counter went backwards/.test(e.detail)), "F10: the clone is recorded");
  // The real key (its counter ahead) still signs in.
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: clone });
  await swap(1000);
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await page.waitForURL(`${issuer}/account`);

  await page.goto(`${issuer}/settings/passkeys`);
  await page.getByRole("button", { name: "Remove" }).click();
  await page.waitForLoadState();
  assert.match(await page.locator("#passkeys-status").innerText(), /No passkey/, "F9: removed");
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: passkeys passed");
} catch (e) {
  console.error("page at failure:", page.url(), "\n", await page.locator("main, body").first().innerText().catch(() => ""));
  throw e;
} finally {
  await browser.close();
}
