// Shared pieces of the browser tests: Debian's Chromium, a relying party's callback server,
// client registration through the operator CLI, and a PKCE authorization request.
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { createServer } from "node:http";
import { createHash, createHmac, randomBytes } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

export const b64u = (buf) => buf.toString("base64url");

export async function launch() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  // English unless a test says otherwise (G1: the pages follow the browser's Accept-Language).
  const page = await browser.newPage({ locale: "en-US" });
  const violations = [];
  page.on("console", (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
  return { browser, page, violations };
}

/// The operator CLI against the demo's database (LANYARD_BIN and LANYARD_* come from the test).
export function cli(args, input) {
  return execFileSync(process.env.LANYARD_BIN, args, { env: process.env, input }).toString();
}

/// A relying party's callback endpoint; `arrived` collects what reaches /callback.
export async function startRp() {
  const arrived = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url, "http://127.0.0.1");
    if (u.pathname === "/callback") arrived.push(u);
    res.writeHead(200, { "content-type": "text/html" }).end("<title>RP</title><p id=rp>callback received</p>");
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const redirectUri = `http://127.0.0.1:${server.address().port}/callback`;
  const client = JSON.parse(cli(["client", "create", "--name", "Browser RP", "--public",
    "--redirect-uri", redirectUri, "--tenant", "DEMO", "--json"]));
  return { server, arrived, redirectUri, clientId: client.client_id };
}

export function authorizeRequest(issuer, rp) {
  const verifier = b64u(randomBytes(32));
  const state = b64u(randomBytes(16));
  const url = new URL(`${issuer}/authorize`);
  for (const [k, v] of Object.entries({
    client_id: rp.clientId, redirect_uri: rp.redirectUri, response_type: "code", scope: "openid profile",
    state, nonce: b64u(randomBytes(16)), code_challenge_method: "S256",
    code_challenge: b64u(createHash("sha256").update(verifier).digest()),
  })) url.searchParams.set(k, v);
  return { url: url.toString(), verifier, state };
}

export async function signIn(page, login, password, code = "DEMO") {
  await page.getByLabel("Login Name").fill(login);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByLabel("Provider Code").fill(code);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
}

/// The newest mail in the demo's file outbox containing `needle`, written after `after` (ms),
/// waiting for it to be written.
export async function mail(needle, after) {
  const outbox = join(process.env.LANYARD_DATA_DIR, "outbox");
  for (let i = 0; i < 100; i++) {
    let files = [];
    try { files = readdirSync(outbox).map((f) => join(outbox, f)); } catch {}
    const found = files
      .filter((f) => statSync(f).mtimeMs >= after)
      .map((f) => readFileSync(f, "utf8").replace(/=\r\n/g, "").replace(/=3D/g, "="))
      .find((m) => m.includes(needle));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no mail with ${needle}`);
}

/// S2 from Settings for the signed-in person: verify the password, send and enter the code.
export async function enrolEmail(page, password, email) {
  await page.getByLabel("Current Password").fill(password);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.waitForLoadState();
  const t = Date.now() - 1000;
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send Code" }).click();
  await page.waitForLoadState();
  const code = (await mail("verification code is", t)).match(/code is (\d{6})/)[1];
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Submit" }).click();
  await page.waitForLoadState();
  await page.getByRole("button", { name: "Update" }).click();
  await page.waitForLoadState();
}

/// A console page's width fits a phone's (360 px): nothing scrolls sideways but tables, which
/// scroll inside their own frame.
export async function fitsPhone(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/// RFC 4648 base32, no padding.
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/// What an authenticator app shows `ahead` steps from now (RFC 6238: HMAC-SHA-1, 30 s, 6 digits).
export function appCode(secret, ahead = 0) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 1000 / 30) + ahead));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
