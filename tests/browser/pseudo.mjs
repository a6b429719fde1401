// G1's pseudo-localisation run: every person's page in the pseudo-language `en-XA` (English made
// about a third longer, accented and bracketed) at 360 px wide. A page fails if it scrolls
// sideways, if an element clips its text, or if a text shows no pseudo-language at all (English
// written into a template or the code, which the catalogue never saw). Screenshots of each page
// go to the screenshot directory.
// Usage: node pseudo.mjs <issuer> <screenshot-dir>
import assert from "node:assert/strict";
import { launch } from "./lib.mjs";

const [issuer, shots] = process.argv.slice(2);
const { browser, page, violations } = await launch();
// What people or administrators typed, and names that are not language: never translated.
const DATA = [/^alice$/, /^JSON$/, /^DEMO$/, /^Demo Agency/, /^Lanyard$/, /^[\d\s:.,\-–()/+@]*$/, /^\S+@\S+$/, /UTC$/];

async function check(name) {
  await page.setViewportSize({ width: 360, height: 740 });
  const found = await page.evaluate(() => {
    const out = { scroll: document.documentElement.scrollWidth - window.innerWidth, clipped: [], plain: [] };
    for (const el of document.querySelectorAll("body *")) {
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden" || el.closest("[hidden]")) continue;
      if (el.scrollWidth > el.clientWidth + 1 && ["hidden", "clip"].includes(style.overflowX)) {
        out.clipped.push(el.outerHTML.slice(0, 120));
      }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.trim();
      const parent = n.parentElement;
      // Text declared in another language (the switcher names each language in its own) is not
      // the page's.
      if (!/[A-Za-z]{2}/.test(text) || parent.closest("script, style, code, pre, [hidden], body [lang]")) continue;
      // The pseudo-language marks every message with brackets and accented letters.
      if (!/[\u00C0-\u024F\u1E00-\u1EFF]/.test(text)) out.plain.push(text);
    }
    return out;
  });
  const plain = found.plain.filter((t) => !DATA.some((d) => d.test(t)));
  await page.screenshot({ path: `${shots}/pseudo_${name}.png`, fullPage: true });
  assert.ok(found.scroll <= 0, `${name}: scrolls sideways by ${found.scroll}px at 360 px`);
  assert.deepEqual(found.clipped, [], `${name}: clipped text`);
  assert.deepEqual(plain, [], `${name}: text not from the catalogue`);
  assert.equal(await page.getAttribute("html", "lang"), "en-XA", `${name}: <html lang>`);
}

try {
  await page.goto(`${issuer}/language?set=en-XA`);
  const pages = [
    ["login", "/login"],
    ["forgot", "/password/forgot"],
    ["help", "/help"],
    ["login_help", "/login/help"],
    ["status", "/status"],
    ["recover_invalid", "/recover?token=nope"],
    ["invitation_invalid", "/invitation?token=nope"],
    ["not_found", "/no-such-page"],
  ];
  for (const [name, path] of pages) {
    await page.goto(`${issuer}${path}`);
    await check(name);
  }
  // A wrong sign-in re-renders the form with the L2 message.
  await page.goto(`${issuer}/login`);
  await page.locator("#login_name").fill("alice");
  await page.locator("#password").fill("Wrong-Guess-1!");
  await page.locator("#provider_code").fill("DEMO");
  await page.locator("form button[type=submit]").first().click();
  await page.waitForLoadState();
  await check("login_error");
  // Signed in: the account, settings and their sub-pages.
  await page.locator("#login_name").fill("alice");
  await page.locator("#password").fill("Lanyard-Demo-1");
  await page.locator("#provider_code").fill("DEMO");
  await page.locator("form button[type=submit]").first().click();
  await page.waitForURL(`${issuer}/account`);
  for (const [name, path] of [
    ["account", "/account"],
    ["settings", "/settings"],
    ["change_password", "/password/change"],
    ["authenticator", "/settings/authenticator"],
    ["passkeys", "/settings/passkeys"],
  ]) {
    await page.goto(`${issuer}${path}`);
    await check(name);
  }
  // The forced change (L4) of a person who must choose a password.
  const other = await (await browser.newContext({ locale: "en-US", viewport: { width: 360, height: 740 } })).newPage();
  await other.goto(`${issuer}/language?set=en-XA`);
  await other.goto(`${issuer}/login`);
  await other.locator("#login_name").fill("newstaff");
  await other.locator("#password").fill("Start-Here-2026!");
  await other.locator("#provider_code").fill("DEMO");
  await other.locator("form button[type=submit]").first().click();
  await other.waitForURL(/\/password\/change/);
  assert.equal(await other.getAttribute("html", "lang"), "en-XA");
  await other.screenshot({ path: `${shots}/pseudo_forced_change.png`, fullPage: true });
  assert.deepEqual(violations, [], "no CSP violations");
  console.log("browser: pseudo-language at 360 px passed");
} finally {
  await browser.close();
}
