// "RP-Initiated Logout OP" modules (AbstractOIDCCRpInitiatedLogout and its subclasses): a normal
// sign-in with a client that registered a post_logout_redirect_uri, then a visit to the
// end_session_endpoint, then — where the OP must have signed the user out — an authorization
// request with prompt=none that must fail with an error requiring a user interface.

import { webcrypto } from "node:crypto";
import { createServer } from "node:http";

import { b64u, authorize, authRequest, callback, codeFlow, decodeJwt, describeOutcome, expectAuthzError, randomState } from "../lib/op.mjs";
import { sleep } from "../lib/harness.mjs";
import { pageText, parseForms } from "../lib/html.mjs";
import { verifyJws } from "../lib/jws.mjs";
import { UI_ERRORS } from "./basic.mjs";

const CLIENT = "logout";

async function signedIn(ctx, env, client = CLIENT) {
	if (typeof env.as.end_session_endpoint !== "string") ctx.skip("discovery has no end_session_endpoint");
	const plru = env.setup.post_logout_redirect_uri;
	if (!plru) ctx.stop("the setup file names no post_logout_redirect_uri");
	// A browser of its own: the module ends its OP session.
	return codeFlow(ctx, env, { client, browser: env.newBrowser(), userinfo: false });
}

/** CreateEndSessionEndpointRequest: id_token_hint, post_logout_redirect_uri, a 128-character state. */
function endSessionParams(env, first, o = {}) {
	const p = { id_token_hint: first.idToken, post_logout_redirect_uri: env.setup.post_logout_redirect_uri, state: randomState(128), ...o };
	for (const [k, v] of Object.entries(p)) if (v === undefined) delete p[k];
	return p;
}

/** The browser visits the end_session_endpoint (GET, or a form POST); the OP's own redirects are followed. */
async function visitEndSession(ctx, env, browser, params, method = "GET") {
	const url = new URL(env.as.end_session_endpoint);
	ctx.log(`end-session request (${method}): ${[...Object.keys(params)].join(", ")}`);
	let res;
	if (method === "POST") {
		res = await browser.fetch(url, { method: "POST", form: params });
	} else {
		for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
		res = await browser.fetch(url);
	}
	for (let i = 0; i < 8 && res.status >= 300 && res.status < 400 && res.location && res.location.origin === env.origin; i++) {
		res = await browser.fetch(res.location);
	}
	return res;
}

/** A page asking the user to confirm the sign-out (a form posting back to the end_session_endpoint). */
function confirmationForm(env, res) {
	if (res.status !== 200) return null;
	const endpoint = new URL(env.as.end_session_endpoint);
	return parseForms(res.body).find((f) => f.method === "post" && new URL(f.action || endpoint.pathname, res.url).href === endpoint.href) ?? null;
}

/** What the person in front of the browser does on a confirmation page: confirm. */
async function confirm(ctx, env, browser, res, form) {
	ctx.note("the OP asked the user to confirm the sign-out; confirmed");
	let next = await browser.fetch(new URL(form.action || res.url.pathname, res.url), { method: "POST", form: Object.fromEntries(form.fields) });
	for (let i = 0; i < 8 && next.status >= 300 && next.status < 400 && next.location && next.location.origin === env.origin; i++) {
		next = await browser.fetch(next.location);
	}
	return next;
}

/** The second authorization of AbstractOIDCCRpInitiatedLogout: prompt=none must now fail. */
async function expectSignedOut(ctx, env, browser, client = CLIENT) {
	const req = await authRequest(env, env.rp(client), { extra: { prompt: "none" }, stateLength: 128 });
	const out = await ctx.must("prompt=none authorization after logout", () => authorize(env, browser, req.params, { allowLogin: false }));
	if (out.type === "login") ctx.stop("after logout, prompt=none showed the sign-in page instead of answering login_required");
	if (!callback(out)) ctx.stop(`after logout, prompt=none must answer by redirect, got ${describeOutcome(out)}`);
	const error = callback(out).params.get("error");
	if (!error) ctx.stop("after logout, prompt=none still signed the user in: the OP did not end the session");
	expectAuthzError(ctx, env, req, out, UI_ERRORS);
}

/** The OP redirected to the post_logout_redirect_uri: CheckPostLogoutState / CheckNoPostLogoutState and unexpected parameters. */
function checkPostLogoutRedirect(ctx, env, res, state, unexpectedLevel) {
	if (!(res.status >= 300 && res.status < 400 && res.location)) {
		ctx.stop(`expected a redirect to the post_logout_redirect_uri, got HTTP ${res.status}: ${pageText(res.body)}`);
	}
	const target = new URL(res.location);
	const params = target.searchParams;
	const base = new URL(target);
	base.search = "";
	base.hash = "";
	const registered = new URL(env.setup.post_logout_redirect_uri);
	ctx.expect(base.href === `${registered.origin}${registered.pathname}`, `redirected to ${res.location.href}, not the post_logout_redirect_uri`, "STOP");
	if (state === undefined) ctx.expect(!params.has("state"), `state returned although none was sent: ${params.get("state")}`);
	else ctx.expect(params.get("state") === state, `post-logout state ${JSON.stringify(params.get("state"))} is not the state sent`);
	const unexpected = [...params.keys()].filter((k) => k !== "state" && !registered.searchParams.has(k));
	ctx.expect(unexpected.length === 0, `post-logout redirect has unexpected parameters: ${unexpected.join(", ")}`, unexpectedLevel);
}

/**
 * Modules where the OP must not redirect back: an error page, or a page asking the user to
 * confirm (the OIDF suite accepts both; a screenshot would be uploaded there).
 */
function expectNoRedirect(ctx, env, res, why) {
	if (res.status >= 300 && res.status < 400 && res.location) {
		ctx.stop(`the OP redirected to ${res.location.href} although ${why}`);
	}
	const form = confirmationForm(env, res);
	if (form) {
		ctx.note(`confirmation page shown (HTTP ${res.status})`);
		return;
	}
	ctx.log(`error page (HTTP ${res.status}): ${pageText(res.body)}`);
	ctx.expect(res.status >= 400 || /error|invalid|not registered|refused/i.test(pageText(res.body, 400)), `expected an error page, got HTTP ${res.status}: ${pageText(res.body)}`, "WARNING");
	ctx.note(`error page shown (HTTP ${res.status})`);
}

/** Modules where the OP must sign the user out and show its own "signed out" page. */
async function expectLoggedOutPage(ctx, env, browser, res) {
	if (res.status >= 300 && res.status < 400 && res.location) ctx.stop(`the OP redirected to ${res.location.href} although no post_logout_redirect_uri was given`);
	const form = confirmationForm(env, res);
	if (form) {
		res = await confirm(ctx, env, browser, res, form);
		if (res.status >= 300 && res.status < 400 && res.location) ctx.stop(`after confirmation the OP redirected to ${res.location.href} although no post_logout_redirect_uri was given`);
	}
	ctx.expect(res.status === 200, `the logged-out page answered HTTP ${res.status}: ${pageText(res.body)}`);
	ctx.log(`logged-out page: ${pageText(res.body)}`);
	await expectSignedOut(ctx, env, browser);
}

/** ChangeIdTokenToAlgNone */
function algNone(idToken) {
	const [, payload] = idToken.split(".");
	return `${b64u(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
}

/** GenerateFakeIdTokenClaims + SignFakeIdToken: the real claims, signed with a key the OP never saw. */
async function foreignSignedIdToken(idToken) {
	const { header, payload } = decodeJwt(idToken);
	const keys = await webcrypto.subtle.generateKey({ name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" }, true, ["sign", "verify"]);
	const now = Math.floor(Date.now() / 1000);
	const claims = { ...payload, iat: now, exp: now + 300 };
	const h = { alg: "RS256", typ: "JWT", kid: header.kid ?? "conformance-foreign-key" };
	const input = `${b64u(JSON.stringify(h))}.${b64u(JSON.stringify(claims))}`;
	const sig = await webcrypto.subtle.sign("RSASSA-PKCS1-v1_5", keys.privateKey, new TextEncoder().encode(input));
	return `${input}.${b64u(new Uint8Array(sig))}`;
}

export const logoutModules = [
	{
		name: "oidcc-rp-initiated-logout",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const params = endSessionParams(env, first);
			let res = await visitEndSession(ctx, env, first.browser, params);
			const form = confirmationForm(env, res);
			if (form) res = await confirm(ctx, env, first.browser, res, form);
			checkPostLogoutRedirect(ctx, env, res, params.state, "WARNING");
			await expectSignedOut(ctx, env, first.browser);
		},
	},
	{
		// RP-Initiated Logout §2: the OP MUST support both GET and POST at the end_session_endpoint.
		name: "lanyard-rp-initiated-logout-post",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const params = endSessionParams(env, first);
			let res = await visitEndSession(ctx, env, first.browser, params, "POST");
			const form = confirmationForm(env, res);
			if (form) res = await confirm(ctx, env, first.browser, res, form);
			checkPostLogoutRedirect(ctx, env, res, params.state, "WARNING");
			await expectSignedOut(ctx, env, first.browser);
		},
	},
	{
		name: "oidcc-rp-initiated-logout-no-state",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			let res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { state: undefined }));
			const form = confirmationForm(env, res);
			if (form) res = await confirm(ctx, env, first.browser, res, form);
			checkPostLogoutRedirect(ctx, env, res, undefined, "FAILURE");
			await expectSignedOut(ctx, env, first.browser);
		},
	},
	{
		name: "oidcc-rp-initiated-logout-bad-post-logout-redirect-uri",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const bad = `${new URL(env.setup.post_logout_redirect_uri).origin}/conformance/not-registered-${randomState(8)}`;
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { post_logout_redirect_uri: bad }));
			expectNoRedirect(ctx, env, res, "the post_logout_redirect_uri is not registered");
		},
	},
	{
		name: "oidcc-rp-initiated-logout-query-added-to-post-logout-redirect-uri",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const u = new URL(env.setup.post_logout_redirect_uri);
			u.searchParams.set("foo", "bar");
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { post_logout_redirect_uri: u.href }));
			expectNoRedirect(ctx, env, res, "the post_logout_redirect_uri had a query added, so it does not match the registered one");
		},
	},
	{
		name: "oidcc-rp-initiated-logout-modified-id-token-hint",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { id_token_hint: algNone(first.idToken) }));
			expectNoRedirect(ctx, env, res, "the id_token_hint was changed to alg none");
		},
	},
	{
		name: "oidcc-rp-initiated-logout-no-id-token-hint",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { id_token_hint: undefined }));
			expectNoRedirect(ctx, env, res, "no id_token_hint was given");
		},
	},
	{
		name: "oidcc-rp-initiated-logout-bad-id-token-hint",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { id_token_hint: await foreignSignedIdToken(first.idToken) }));
			expectNoRedirect(ctx, env, res, "the id_token_hint was signed by a key that is not the OP's");
		},
	},
	{
		name: "oidcc-rp-initiated-logout-no-post-logout-redirect-uri",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { post_logout_redirect_uri: undefined }));
			await expectLoggedOutPage(ctx, env, first.browser, res);
		},
	},
	{
		name: "oidcc-rp-initiated-logout-only-state",
		run: async (ctx, env) => {
			const first = await signedIn(ctx, env);
			const res = await visitEndSession(ctx, env, first.browser, endSessionParams(env, first, { id_token_hint: undefined, post_logout_redirect_uri: undefined }));
			await expectLoggedOutPage(ctx, env, first.browser, res);
		},
	},
];

const BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout";

/** The RP's backchannel_logout_uri: a loopback listener that records what the OP posts. */
async function backchannelReceiver(uri) {
	const u = new URL(uri);
	const received = [];
	const server = createServer((req, res) => {
		const chunks = [];
		req.on("data", (c) => chunks.push(c));
		req.on("end", () => {
			received.push({ method: req.method, path: req.url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
			// Back-Channel Logout §2.8: 200 with Cache-Control: no-store on success.
			res.writeHead(200, { "cache-control": "no-store" });
			res.end();
		});
	});
	await new Promise((resolve, reject) => {
		server.once("error", reject);
		server.listen(Number(u.port), u.hostname, resolve);
	});
	return { received, close: () => new Promise((r) => server.close(r)) };
}

/**
 * ExtractLogoutTokenFromBackchannelLogoutRequest, CheckForUnexpectedParametersInBackchannelLogoutRequest,
 * ValidateLogoutTokenSignature, ValidateLogoutTokenClaims, CheckIdTokenSubMatchesLogoutToken,
 * CheckIdTokenSidMatchesLogoutToken, CheckLogoutTokenNoNonce, CheckLogoutTokenHasSubOrSid.
 */
function checkLogoutRequest(ctx, env, rp, request, idClaims) {
	const path = new URL(rp.conf.backchannel_logout_uri).pathname;
	ctx.expect(request.method === "POST", `back-channel logout request used ${request.method}, not POST (§2.5)`);
	ctx.expect(request.path === path, `back-channel logout request went to ${request.path}, not ${path}`);
	ctx.expect(/^application\/x-www-form-urlencoded\b/i.test(request.headers["content-type"] ?? ""), `back-channel logout Content-Type is ${request.headers["content-type"]} (§2.5)`);
	const form = new URLSearchParams(request.body);
	const unexpected = [...form.keys()].filter((k) => k !== "logout_token");
	ctx.expect(unexpected.length === 0, `back-channel logout request has unexpected parameters: ${unexpected.join(", ")}`);
	const token = form.get("logout_token");
	if (!token) ctx.stop("back-channel logout request without logout_token");
	let header;
	let claims;
	try {
		({ header, payload: claims } = verifyJws(env.jwks, token));
	} catch (e) {
		ctx.fail(`logout token signature: ${e.message}`);
		({ header, payload: claims } = decodeJwt(token));
	}
	ctx.expect(header.alg === rp.client.id_token_signed_response_alg, `logout token alg ${header.alg}, the client registered ${rp.client.id_token_signed_response_alg} (§2.6: validated like an ID token)`);
	if (header.typ !== undefined) ctx.expect(String(header.typ).toLowerCase().replace(/^application\//, "") === "logout+jwt", `logout token typ ${header.typ}, expected logout+jwt (§2.4)`);
	else ctx.warn("logout token has no typ header (§2.4 recommends explicit typing: logout+jwt)");
	ctx.log(`logout token: ${JSON.stringify(header)} ${JSON.stringify(claims)}`);
	const now = Math.floor(Date.now() / 1000);
	ctx.expect(claims.iss === env.issuer, `logout token iss ${claims.iss} is not the issuer`);
	const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
	ctx.expect(aud.includes(rp.client.client_id), `logout token aud ${JSON.stringify(claims.aud)} does not contain the client_id`);
	ctx.expect(Number.isInteger(claims.iat) && Math.abs(now - claims.iat) <= 300, `logout token iat ${claims.iat} is not now`);
	if (claims.exp !== undefined) ctx.expect(Number.isInteger(claims.exp) && claims.exp > now, `logout token exp ${claims.exp} is not in the future`);
	ctx.expect(typeof claims.jti === "string" && claims.jti.length > 0, "logout token has no jti (§2.4)");
	const events = claims.events;
	ctx.expect(events && typeof events === "object" && events[BACKCHANNEL_EVENT] && typeof events[BACKCHANNEL_EVENT] === "object", `logout token events lacks ${BACKCHANNEL_EVENT} as a JSON object (§2.4)`);
	ctx.expect(!("nonce" in claims), "logout token contains nonce (§2.4 forbids it)");
	ctx.expect(claims.sub !== undefined || claims.sid !== undefined, "logout token has neither sub nor sid (§2.4)");
	if (claims.sub !== undefined) ctx.expect(claims.sub === idClaims.sub, "logout token sub differs from the ID token's");
	if (claims.sid !== undefined) ctx.expect(claims.sid === idClaims.sid, "logout token sid differs from the ID token's");
	if (env.as.backchannel_logout_session_supported === true) {
		ctx.expect(typeof idClaims.sid === "string", "backchannel_logout_session_supported is true but the ID token has no sid (§2.1)");
		ctx.expect(claims.sid !== undefined, "backchannel_logout_session_supported is true but the logout token has no sid (§2.4)");
	}
}

export const backchannelModules = [
	{
		name: "oidcc-backchannel-rp-initiated-logout",
		run: async (ctx, env) => {
			if (env.as.backchannel_logout_supported !== true) ctx.skip("Back-Channel Logout is not implemented (discovery: backchannel_logout_supported is not true)");
			const conf = env.setup.clients.backchannel;
			if (!conf?.backchannel_logout_uri) ctx.stop("the setup file has no client with a backchannel_logout_uri (re-run setup.sh with a Lanyard whose CLI has --backchannel-logout-uri)");
			const receiver = await ctx.must(`listening on ${conf.backchannel_logout_uri}`, () => backchannelReceiver(conf.backchannel_logout_uri));
			try {
				const first = await signedIn(ctx, env, "backchannel");
				const params = endSessionParams(env, first);
				let res = await visitEndSession(ctx, env, first.browser, params);
				const form = confirmationForm(env, res);
				if (form) res = await confirm(ctx, env, first.browser, res, form);
				checkPostLogoutRedirect(ctx, env, res, params.state, "FAILURE");
				// The OP may deliver the logout token after redirecting the browser.
				for (let i = 0; i < 50 && receiver.received.length === 0; i++) await sleep(100);
				if (receiver.received.length === 0) ctx.stop("no back-channel logout request reached the backchannel_logout_uri within 5 s");
				ctx.expect(receiver.received.length === 1, `${receiver.received.length} back-channel logout requests for one session`, "WARNING");
				checkLogoutRequest(ctx, env, first.rp, receiver.received[0], first.claims);
				await expectSignedOut(ctx, env, first.browser, "backchannel");
			} finally {
				await receiver.close();
			}
		},
	},
];
