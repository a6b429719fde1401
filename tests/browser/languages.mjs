// G1 in Chromium: an application asking for Spanish (`ui_locales=es`) gets the whole sign-in in
// Spanish — the lock message (L3) and the forced change (L4, L5) — though the browser speaks
// English; the switcher remembers a pick; a browser speaking es-MX gets Spanish by itself.
// Usage: node languages.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { authorizeRequest, cli, launch, startRp } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const LOCKED = "Su cuenta ha sido bloqueada. Comuníquese con el administrador de su agencia.";
const rp = await startRp();
const { browser, page, violations } = await launch();
const alert = async () => (await page.getByRole("alert").innerText()).trim();
const lang = async (p = page) => p.getAttribute("html", "lang");
const inSpanish = (req) => {
  const u = new URL(req.url);
  u.searchParams.set("ui_locales", "es");
  return u.toString();
};
async function signIn(login, password) {
  await page.getByLabel("Nombre de usuario").fill(login);
  await page.getByLabel("Contraseña", { exact: true }).fill(password);
  await page.getByLabel("Código de proveedor").fill("DEMO");
  await page.getByRole("button", { name: "Iniciar sesión" }).click();
  await page.waitForLoadState();
}
try {
  // L2, L3 in the language the application asked for.
  await page.goto(inSpanish(authorizeRequest(issuer, rp)));
  assert.equal(await lang(), "es");
  assert.equal(await page.locator("h1").innerText(), "Iniciar sesión");
  for (const [i, expected] of ["Credenciales no válidas", "Credenciales no válidas", LOCKED].entries()) {
    await signIn("alice", `Wrong-Guess-${i}!`);
    assert.equal(await alert(), expected, `attempt ${i + 1}`);
    assert.equal(await lang(), "es", "the interaction keeps its language");
  }
  await page.screenshot({ path: `${shots}/es_locked.png` });

  // L4 in Spanish: a temporary password, the policy's messages, then back to the application.
  cli(["user", "unlock", "--tenant", "DEMO", "alice"]);
  cli(["user", "set-password", "--tenant", "DEMO", "alice", "--temporary", "--password-stdin"], "Temporary-Pass-77\n");
  const req = authorizeRequest(issuer, rp);
  await page.goto(inSpanish(req));
  await signIn("alice", "Temporary-Pass-77");
  assert.match(page.url(), /\/password\/change\?auth=/);
  assert.equal(await lang(), "es");
  await page.getByLabel("Nueva contraseña", { exact: true }).fill("short");
  await page.getByLabel("Confirmar nueva contraseña").fill("short");
  await page.locator("form button[type=submit]").click();
  await page.waitForLoadState();
  assert.match(await alert(), /al menos 8 caracteres/);
  await page.screenshot({ path: `${shots}/es_forced_change.png` });
  await page.getByLabel("Nueva contraseña", { exact: true }).fill("Chosen-Carefully-9");
  await page.getByLabel("Confirmar nueva contraseña").fill("Chosen-Carefully-9");
  await page.locator("form button[type=submit]").click();
  await page.waitForURL((u) => u.toString().startsWith(rp.redirectUri));
  assert.equal(rp.arrived.at(-1).searchParams.get("state"), req.state);

  // The switcher: the browser says English; the pick says Spanish, and is remembered.
  const person = await (await browser.newContext({ locale: "en-US" })).newPage();
  await person.goto(`${issuer}/login`);
  assert.equal(await lang(person), "en");
  await person.getByRole("link", { name: "Español" }).click();
  await person.waitForURL(`${issuer}/login`);
  assert.equal(await lang(person), "es");
  await person.reload();
  assert.equal(await person.locator("h1").innerText(), "Iniciar sesión");
  await person.screenshot({ path: `${shots}/es_sign_in.png` });
  await person.getByRole("link", { name: "English" }).click();
  await person.waitForURL(`${issuer}/login`);
  assert.equal(await person.locator("h1").innerText(), "Sign in");

  // Accept-Language: es-MX → es.
  const mexico = await (await browser.newContext({ locale: "es-MX" })).newPage();
  await mexico.goto(`${issuer}/login`);
  assert.equal(await lang(mexico), "es");
  assert.equal(await mexico.getByRole("link", { name: "¿Olvidó su contraseña?" }).isVisible(), true);

  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: languages passed");
} finally {
  await browser.close();
  rp.server.close();
}
