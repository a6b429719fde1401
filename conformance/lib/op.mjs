// The relying-party side: discovery, authorization requests driven through the browser leg, the
// token and UserInfo endpoints — all through oauth4webapi, so its strict checks apply (issuer,
// RFC 9207 `iss`, state, nonce, aud, azp, alg, signature against the JWKS, ...) — plus the
// checks the OIDF suite runs on top (conditions named in comments).

import { createHash, randomBytes } from "node:crypto";
import * as oauth from "oauth4webapi";

import { Browser } from "./browser.mjs";
import { describeError } from "./harness.mjs";
import { pageText, parseForms } from "./html.mjs";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

export const b64u = (buf) => Buffer.from(buf).toString("base64url");
export const fromB64u = (s) => Buffer.from(s, "base64url");

export function decodeJwt(jwt) {
	const [h, p] = jwt.split(".");
	return { header: JSON.parse(fromB64u(h).toString("utf8")), payload: JSON.parse(fromB64u(p).toString("utf8")) };
}

export function randomState(length = 43) {
	// base64url characters only, as the OIDF suite's CreateRandomStateValue
	let s = "";
	while (s.length < length) s += b64u(randomBytes(48));
	return s.slice(0, length);
}

/** RFC 6749 Appendix A: VSCHAR = %x20-7E (codes, tokens, state). */
export const isVsChars = (s) => typeof s === "string" && s.length > 0 && /^[\x20-\x7e]+$/.test(s);

/** Everything a module needs about the OP under test and its registered clients. */
export class Env {
	static async create(issuer, setup, { verbose = false } = {}) {
		const env = new Env();
		env.verbose = verbose;
		env.issuer = issuer;
		env.setup = setup;
		const url = new URL(issuer);
		env.issuerUrl = url;
		env.origin = url.origin;
		env.loopbackHttp = url.protocol === "http:" && LOOPBACK.has(url.hostname);
		// oauth4webapi refuses http outright; allow it only for a loopback OP under test.
		env.http = env.loopbackHttp ? { [oauth.allowInsecureRequests]: true } : {};
		env.discoveryUrl = `${issuer}/.well-known/openid-configuration`;
		const res = await oauth.discoveryRequest(url, { algorithm: "oidc", ...env.http });
		env.discoveryResponse = { status: res.status, contentType: res.headers.get("content-type") };
		env.as = await oauth.processDiscoveryResponse(url, res);
		env.metadata = env.as;
		const jwksRes = await fetch(env.as.jwks_uri, { headers: { accept: "application/json" } });
		env.jwksResponse = { status: jwksRes.status, contentType: jwksRes.headers.get("content-type") };
		env.jwks = await jwksRes.json();
		// Like the tester's browser under the OIDF suite, one browser (and so one OP session)
		// carries over from module to module; modules that need a clean one make their own.
		env.shared = new Browser(env.origin);
		return env;
	}

	newBrowser() {
		return new Browser(this.origin);
	}

	/** A registered client of the setup file, as oauth4webapi wants it. */
	rp(key) {
		const conf = this.setup.clients[key];
		if (!conf) throw new Error(`setup file has no client "${key}"`);
		const method = conf.token_endpoint_auth_method ?? "client_secret_basic";
		const client = {
			client_id: conf.client_id,
			id_token_signed_response_alg: conf.id_token_signed_response_alg ?? "RS256",
			token_endpoint_auth_method: method,
		};
		const auth =
			method === "none"
				? oauth.None()
				: method === "client_secret_post"
					? oauth.ClientSecretPost(conf.client_secret)
					: oauth.ClientSecretBasic(conf.client_secret);
		return { key, conf, client, auth, public: method === "none" };
	}

	get credentials() {
		return this.setup.user;
	}
}

// ---------------------------------------------------------------------------------------------
// Authorization requests

/**
 * Builds an authorization request as CreateAuthorizationEndpointRequestFromClientInformation +
 * CreateRandomStateValue/AddState + CreateRandomNonceValue/AddNonce would. PKCE (S256) is added
 * for public clients, or when asked.
 */
export async function authRequest(env, rp, o = {}) {
	const p = new URLSearchParams();
	const redirectUri = o.redirectUri ?? env.setup.redirect_uri;
	p.set("client_id", rp.client.client_id);
	p.set("redirect_uri", redirectUri);
	p.set("response_type", "code");
	p.set("scope", o.scope ?? "openid");
	const state = o.state === false ? undefined : (o.state ?? randomState(o.stateLength));
	if (state !== undefined) p.set("state", state);
	const nonce = o.nonce === false ? undefined : (o.nonce ?? oauth.generateRandomNonce());
	if (nonce !== undefined) p.set("nonce", nonce);
	let verifier;
	if (o.pkce ?? rp.public) {
		verifier = oauth.generateRandomCodeVerifier();
		p.set("code_challenge", await oauth.calculatePKCECodeChallenge(verifier));
		p.set("code_challenge_method", "S256");
	}
	if (o.responseMode) p.set("response_mode", o.responseMode);
	for (const [k, v] of Object.entries(o.extra ?? {})) p.set(k, v);
	for (const k of o.omit ?? []) p.delete(k);
	return { rp, params: p, state, nonce, verifier, redirectUri, responseMode: o.responseMode ?? "query" };
}

/**
 * Sends the browser to the authorization endpoint (GET, or POST with `method: "POST"`), signs
 * in on the sign-in page when it appears (unless `allowLogin` is false), and stops at the first
 * answer that leaves the OP: a redirect elsewhere, a form_post page, or any other page.
 *
 * @returns {Promise<{type: "redirect"|"form_post"|"page"|"login", location?: URL, action?: URL,
 *   params?: URLSearchParams, res: object, loginPages: number, hops: string[]}>}
 */
export async function authorize(env, browser, params, { method = "GET", allowLogin = true } = {}) {
	const endpoint = new URL(env.as.authorization_endpoint);
	let res;
	if (method === "POST") {
		res = await browser.fetch(endpoint, { method: "POST", form: params });
	} else {
		const url = new URL(endpoint);
		for (const [k, v] of params) url.searchParams.append(k, v);
		res = await browser.fetch(url);
	}
	return follow(env, browser, res, { allowLogin });
}

/** Follows the OP's own redirects (and its sign-in page) until the answer leaves the OP. */
export async function follow(env, browser, first, { allowLogin = true } = {}) {
	let res = first;
	const trace = { loginPages: 0, hops: [] };
	for (let hop = 0; hop < 12; hop++) {
		trace.hops.push(`${res.method} ${res.url.pathname} -> ${res.status}`);
		if (res.status >= 300 && res.status < 400 && res.location) {
			const loc = res.location;
			if (loc.origin !== env.origin) return { type: "redirect", location: loc, params: loc.searchParams, res, ...trace };
			if (loc.pathname === "/login") {
				trace.loginPages++;
				if (!allowLogin) return { type: "login", res, ...trace };
				res = await signIn(env, browser, loc);
				// Sign-in throttling (429 + Retry-After): a person would wait and try again, once.
				const wait = Number(res.headers.get("retry-after"));
				if (res.status === 429 && wait > 0 && wait <= 60 && !trace.throttled) {
					trace.throttled = wait;
					await new Promise((r) => setTimeout(r, wait * 1000));
					res = await signIn(env, browser, loc);
				}
				if (res.status === 200 || res.status === 429) return { type: "page", res, loginFailed: true, ...trace };
				continue;
			}
			res = await browser.fetch(loc);
			continue;
		}
		if (res.status === 200 && /html/i.test(res.headers.get("content-type") ?? "")) {
			const post = parseForms(res.body).find(
				(f) => f.method === "post" && f.action && new URL(f.action, res.url).origin !== env.origin,
			);
			if (post) {
				const params = new URLSearchParams([...post.fields]);
				return { type: "form_post", action: new URL(post.action, res.url), params, res, ...trace };
			}
		}
		return { type: "page", res, ...trace };
	}
	throw new Error(`too many redirects: ${trace.hops.join(", ")}`);
}

/** The sign-in page: GET it (CSRF cookie + field), POST the credentials with every hidden field. */
export async function signIn(env, browser, loginUrl, creds = env.credentials) {
	const page = await browser.fetch(loginUrl);
	if (page.status !== 200) throw new Error(`sign-in page answered ${page.status}`);
	const form = parseForms(page.body).find((f) => f.fields.has("csrf") && f.fields.has("login_name"));
	if (!form) throw new Error(`no sign-in form on ${loginUrl.pathname}: ${pageText(page.body)}`);
	const fields = Object.fromEntries(form.fields);
	fields.login_name = creds.login_name;
	fields.password = creds.password;
	fields.provider_code = creds.provider_code;
	return browser.fetch(new URL(form.action || loginUrl.pathname, loginUrl), { method: "POST", form: fields });
}

/** A short description of where an authorization request ended, for failure messages. */
export function describeOutcome(out) {
	switch (out.type) {
		case "redirect":
			return `redirect to ${out.location.href}`;
		case "form_post":
			return `form_post to ${out.action.href} with ${out.params}`;
		case "login":
			return "the sign-in page";
		default:
			return `a page (HTTP ${out.res.status}${out.loginFailed ? ", sign-in failed" : ""}): ${pageText(out.res.body)}`;
	}
}

/** The callback as the RP sees it: target URI (without query) and its parameters. */
export function callback(out) {
	if (out.type === "redirect") {
		const target = new URL(out.location);
		const fragment = target.hash;
		target.search = "";
		target.hash = "";
		return { mode: "query", target: target.href, params: out.location.searchParams, fragment };
	}
	if (out.type === "form_post") return { mode: "form_post", target: out.action.href, params: out.params, fragment: "" };
	return null;
}

function sameUri(a, b) {
	try {
		return new URL(a).href === new URL(b).href;
	} catch {
		return a === b;
	}
}

/**
 * The authorization endpoint must have answered with a code at the registered redirect_uri, in
 * the requested response mode: CheckMatchingCallbackParameters, CheckIfAuthorizationEndpointError,
 * CheckMatchingStateParameter, ValidateIssInAuthorizationResponse (oauth4webapi validateAuthResponse),
 * ExtractAuthorizationCodeFromAuthorizationResponse.
 */
export function expectCode(ctx, env, req, out) {
	const cb = callback(out);
	if (!cb) ctx.stop(`expected a redirect to the client with a code, got ${describeOutcome(out)}`);
	if (!sameUri(cb.target, req.redirectUri)) ctx.stop(`answer sent to ${cb.target}, not the redirect_uri ${req.redirectUri}`);
	if (cb.mode !== req.responseMode) ctx.fail(`response_mode ${req.responseMode} was requested but the answer came as ${cb.mode}`);
	if (cb.fragment) ctx.fail(`authorization response has a fragment (${cb.fragment}) in the code flow`);
	let validated;
	try {
		validated = oauth.validateAuthResponse(env.as, req.rp.client, cb.params, req.state ?? oauth.expectNoState);
	} catch (e) {
		if (e instanceof oauth.AuthorizationResponseError) {
			ctx.stop(`authorization endpoint returned error=${e.error}${e.error_description ? ` (${e.error_description})` : ""}`);
		}
		ctx.stop(`authorization response rejected by oauth4webapi: ${describeError(e)}`);
	}
	const code = validated.get("code");
	ctx.expect(isVsChars(code), "authorization code missing or not VSCHAR (RFC 6749 A.11)", "STOP");
	ctx.log(`code received via ${cb.mode} after ${out.loginPages} sign-in page(s)`);
	return validated;
}

/** RFC 6749 §5.2 / A.6: error_description is %x20-21 / %x23-5B / %x5D-7E. */
function checkErrorDescription(ctx, where, params) {
	const d = params.get("error_description");
	if (d === null) return;
	if (/[\r\n\t]/.test(d)) ctx.warn(`${where} error_description contains CR, LF or TAB`);
	if (!/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(d)) ctx.fail(`${where} error_description has characters RFC 6749 forbids: ${JSON.stringify(d)}`);
	const uri = params.get("error_uri");
	if (uri !== null && !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(uri)) ctx.fail(`${where} error_uri has characters RFC 6749 forbids`);
}

/**
 * performGenericAuthorizationEndpointErrorResponseValidation + the expected error codes:
 * CheckStateInAuthorizationResponse, ValidateIssIfPresentInAuthorizationResponse,
 * EnsureErrorFromAuthorizationEndpointResponse, RejectAuthCodeInAuthorizationEndpointResponse,
 * CheckForUnexpectedParametersInErrorResponseFromAuthorizationEndpoint (WARNING),
 * CheckErrorDescriptionFromAuthorizationEndpointResponseErrorContainsCRLFTAB (WARNING),
 * ValidateErrorDescriptionFromAuthorizationEndpointResponseError.
 *
 * @returns the error code, or null when the answer was not a callback at all
 */
export function expectAuthzError(ctx, env, req, out, allowed, { stateEchoed = true } = {}) {
	const cb = callback(out);
	if (!cb) return null;
	if (!sameUri(cb.target, req.redirectUri)) ctx.stop(`error sent to ${cb.target}, not the redirect_uri ${req.redirectUri}`);
	if (cb.mode !== req.responseMode) ctx.fail(`response_mode ${req.responseMode} was requested but the error came as ${cb.mode}`);
	const p = cb.params;
	try {
		oauth.validateAuthResponse(env.as, req.rp.client, p, stateEchoed ? (req.state ?? oauth.expectNoState) : oauth.skipStateCheck);
		ctx.stop(`expected an error from the authorization endpoint, got a successful response (${describeOutcome(out)})`);
	} catch (e) {
		if (e.name === "Stop") throw e;
		if (!(e instanceof oauth.AuthorizationResponseError)) ctx.fail(`error response rejected by oauth4webapi: ${describeError(e)}`);
	}
	const error = p.get("error");
	if (!error) ctx.stop(`no error parameter in the authorization response (${p})`);
	ctx.expect(!p.has("code"), "error response also carries a code");
	const known = new Set(["error", "error_description", "error_uri", "state", "session_state", "iss"]);
	const unexpected = [...p.keys()].filter((k) => !known.has(k));
	ctx.expect(unexpected.length === 0, `error response includes unexpected parameters: ${unexpected.join(", ")}`, "WARNING");
	checkErrorDescription(ctx, "authorization", p);
	ctx.expect(allowed.includes(error), `error=${error}, expected ${allowed.join(" or ")}`);
	ctx.log(`authorization error ${error} (${p.get("error_description") ?? ""})`);
	return error;
}

/** For modules where the OP must not redirect (OIDF: a screenshot of an error page is expected). */
export function expectErrorPage(ctx, out, what) {
	if (out.type === "page") {
		ctx.log(`error page (HTTP ${out.res.status}): ${pageText(out.res.body)}`);
		ctx.expect(out.res.status >= 400, `${what}: the error page answered HTTP ${out.res.status}`, "WARNING");
		return true;
	}
	return false;
}

// ---------------------------------------------------------------------------------------------
// Token endpoint

/** RFC 6749 §5.1 (and OIDC Core §3.1.3.3): token responses are JSON and not cached. */
function checkTokenHttp(ctx, res, where = "token endpoint") {
	const ct = res.headers.get("content-type") ?? "";
	ctx.expect(/^application\/json\b/i.test(ct), `${where} Content-Type is ${ct || "(none)"}, not application/json`);
	const cc = res.headers.get("cache-control") ?? "";
	ctx.expect(/\bno-store\b/i.test(cc), `${where} response lacks Cache-Control: no-store (RFC 6749 §5.1)`);
}

/** hash used for at_hash / c_hash, by JWS alg (OIDC Core §3.1.3.6; EdDSA with Ed25519 → SHA-512) */
function halfHash(alg, value) {
	const bits = { 256: "sha256", 384: "sha384", 512: "sha512" }[alg.slice(-3)] ?? (alg === "EdDSA" ? "sha512" : null);
	if (!bits) return null;
	const d = createHash(bits).update(value, "ascii").digest();
	return b64u(d.subarray(0, d.length / 2));
}

/**
 * ID token checks beyond oauth4webapi's: ValidateIdToken (timestamps, sub), ValidateIdTokenSignatureUsingKid
 * and CheckForKeyIdInServerJWKs (kid), the at_hash (OIDC Core §3.1.3.8), azp, amr.
 */
export function checkIdToken(ctx, env, rp, idToken, claims, { accessToken } = {}) {
	const { header } = decodeJwt(idToken);
	ctx.expect(header.alg === rp.client.id_token_signed_response_alg, `ID token alg ${header.alg}, registered ${rp.client.id_token_signed_response_alg}`);
	ctx.expect(header.alg !== "none", "ID token is unsigned (alg none)");
	if (header.kid === undefined) {
		ctx.expect(env.jwks.keys.length === 1, "ID token has no kid although the JWKS holds several keys (OIDC Core §10.1)");
	} else {
		const key = env.jwks.keys.find((k) => k.kid === header.kid);
		if (ctx.expect(key, `ID token kid ${header.kid} is not in the JWKS`)) {
			ctx.expect(!key.alg || key.alg === header.alg, `JWKS key ${header.kid} is for ${key.alg}, ID token says ${header.alg}`);
			ctx.expect(!key.use || key.use === "sig", `JWKS key ${header.kid} has use=${key.use}`);
		}
	}
	const now = Math.floor(Date.now() / 1000);
	const skew = 300;
	ctx.expect(typeof claims.sub === "string" && claims.sub.length > 0 && claims.sub.length <= 255 && /^[\x21-\x7e]+$/.test(claims.sub), "ID token sub must be 1-255 ASCII characters (OIDC Core §2)");
	ctx.expect(Number.isInteger(claims.iat) && claims.iat <= now + skew, `ID token iat ${claims.iat} is in the future`);
	ctx.expect(Number.isInteger(claims.exp) && claims.exp > now, `ID token exp ${claims.exp} is not in the future`);
	ctx.expect(claims.exp > claims.iat, "ID token exp is not after iat");
	if (claims.auth_time !== undefined) ctx.expect(Number.isInteger(claims.auth_time) && claims.auth_time <= now + skew, `ID token auth_time ${claims.auth_time} is not a past NumericDate`);
	if (claims.azp !== undefined) ctx.expect(claims.azp === rp.client.client_id, `ID token azp ${claims.azp} is not the client_id`);
	if (Array.isArray(claims.aud)) ctx.expect(claims.aud.length === 1 || claims.azp !== undefined, "ID token has several audiences and no azp");
	if (claims.amr !== undefined) ctx.expect(Array.isArray(claims.amr) && claims.amr.every((a) => typeof a === "string"), "ID token amr must be an array of strings");
	if (claims.nbf !== undefined) ctx.expect(claims.nbf <= now + skew, "ID token nbf is in the future");
	if (claims.at_hash !== undefined && accessToken) {
		const expected = halfHash(header.alg, accessToken);
		ctx.expect(claims.at_hash === expected, `ID token at_hash ${claims.at_hash} does not match the access token (expected ${expected})`);
	}
	if (claims.c_hash !== undefined) ctx.warn("ID token from the token endpoint carries c_hash");
	validateStandardClaims(ctx, claims);
}

/** Token response fields: ValidateExpiresIn, EnsureRefreshTokenContainsAllowedCharactersOnly, token_type. */
function checkTokenResponse(ctx, tokens) {
	ctx.expect(tokens.token_type === "bearer", `token_type ${tokens.token_type}, expected Bearer`);
	ctx.expect(isVsChars(tokens.access_token), "access_token is not VSCHAR");
	if (tokens.expires_in !== undefined) ctx.expect(Number.isInteger(tokens.expires_in) && tokens.expires_in > 0, `expires_in ${tokens.expires_in} is not a positive integer`);
	if (tokens.refresh_token !== undefined) ctx.expect(isVsChars(tokens.refresh_token), "refresh_token has characters outside VSCHAR (RFC 6749 A.17)");
}

/**
 * Redeems the code (oauth4webapi authorizationCodeGrantRequest + processAuthorizationCodeResponse,
 * then validateApplicationLevelSignature: the ID token's signature against the OP's JWKS).
 */
export async function redeem(ctx, env, req, validated, { maxAge } = {}) {
	const { rp } = req;
	const res = await ctx.must("token request", () =>
		oauth.authorizationCodeGrantRequest(env.as, rp.client, rp.auth, validated, req.redirectUri, req.verifier ?? oauth.nopkce, env.http),
	);
	if (res.status === 200) checkTokenHttp(ctx, res);
	const tokens = await ctx.must("token response (oauth4webapi processAuthorizationCodeResponse)", () =>
		oauth.processAuthorizationCodeResponse(env.as, rp.client, res, {
			expectedNonce: req.nonce ?? oauth.expectNoNonce,
			maxAge: maxAge ?? undefined,
			requireIdToken: true,
		}),
	);
	await ctx.soft("ID token signature (oauth4webapi validateApplicationLevelSignature against jwks_uri)", () =>
		oauth.validateApplicationLevelSignature(env.as, res, env.http),
	);
	const claims = oauth.getValidatedIdTokenClaims(tokens);
	checkTokenResponse(ctx, tokens);
	checkIdToken(ctx, env, rp, tokens.id_token, claims, { accessToken: tokens.access_token });
	ctx.log(`tokens: id_token sub=${claims.sub} auth_time=${claims.auth_time} refresh_token=${tokens.refresh_token ? "yes" : "no"}`);
	return { tokens, claims, idToken: tokens.id_token, accessToken: tokens.access_token };
}

/** A raw token endpoint request for negative tests (e.g. code reuse): returns status, headers, JSON. */
export async function rawTokenRequest(env, rp, grantType, params) {
	const res = await oauth.genericTokenEndpointRequest(env.as, rp.client, rp.auth, grantType, params, env.http);
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, headers: res.headers, json, text };
}

/**
 * An error answer of the token endpoint: CheckTokenEndpointHttpStatus400,
 * CheckTokenEndpointReturnedJsonContentType, CheckErrorFromTokenEndpointResponseError...,
 * ValidateErrorDescriptionFromTokenEndpointResponseError.
 */
export function expectTokenError(ctx, r, allowed, where = "token endpoint") {
	ctx.expect(r.status === 400, `${where} answered HTTP ${r.status}, expected 400`);
	const ct = r.headers.get("content-type") ?? "";
	ctx.expect(/^application\/json\b/i.test(ct), `${where} error Content-Type is ${ct || "(none)"}`);
	if (!r.json || typeof r.json.error !== "string") {
		ctx.fail(`${where} error response has no error field: ${r.text.slice(0, 200)}`);
		return undefined;
	}
	ctx.expect(allowed.includes(r.json.error), `${where} error=${r.json.error}, expected ${allowed.join(" or ")}`);
	ctx.expect(!("access_token" in r.json), `${where} error response carries an access_token`);
	checkErrorDescription(ctx, where, new URLSearchParams(Object.entries(r.json).filter(([, v]) => typeof v === "string")));
	return r.json.error;
}

// ---------------------------------------------------------------------------------------------
// UserInfo

/**
 * CallUserInfoEndpointWithBearerToken (GET / POST with header / POST with form body) and
 * oauth4webapi processUserInfoResponse (JSON, sub present and equal to the ID token's).
 */
export async function userinfo(ctx, env, rp, accessToken, sub, how = "get") {
	let res;
	if (how === "get") {
		res = await ctx.must("UserInfo request", () => oauth.userInfoRequest(env.as, rp.client, accessToken, env.http));
	} else if (how === "post-header") {
		res = await ctx.must("UserInfo POST request", () =>
			oauth.protectedResourceRequest(accessToken, "POST", new URL(env.as.userinfo_endpoint), new Headers({ accept: "application/json" }), null, env.http),
		);
	} else {
		res = await fetch(env.as.userinfo_endpoint, {
			method: "POST",
			headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
			body: new URLSearchParams({ access_token: accessToken }),
		});
	}
	ctx.expect(res.status === 200, `UserInfo (${how}) answered HTTP ${res.status}`, "STOP");
	const ct = res.headers.get("content-type") ?? "";
	ctx.expect(/^application\/(json|jwt)\b/i.test(ct), `UserInfo Content-Type is ${ct || "(none)"}`);
	const claims = await ctx.must(`UserInfo response (${how}, oauth4webapi processUserInfoResponse)`, () =>
		oauth.processUserInfoResponse(env.as, rp.client, sub, res),
	);
	validateStandardClaims(ctx, claims);
	ctx.log(`userinfo (${how}): ${Object.keys(claims).join(", ")}`);
	return claims;
}

/** ValidateUserInfoStandardClaims: OIDC Core §5.1 types of the standard claims present. */
export function validateStandardClaims(ctx, claims) {
	const strings = ["sub", "name", "given_name", "family_name", "middle_name", "nickname", "preferred_username", "profile", "picture", "website", "email", "gender", "birthdate", "zoneinfo", "locale", "phone_number"];
	for (const k of strings) if (k in claims) ctx.expect(typeof claims[k] === "string", `claim ${k} must be a string`);
	for (const k of ["email_verified", "phone_number_verified"]) if (k in claims) ctx.expect(typeof claims[k] === "boolean", `claim ${k} must be a boolean`);
	if ("address" in claims) ctx.expect(claims.address && typeof claims.address === "object", "claim address must be a JSON object");
	if ("updated_at" in claims) ctx.expect(Number.isInteger(claims.updated_at), "claim updated_at must be a NumericDate");
	if ("birthdate" in claims && typeof claims.birthdate === "string") ctx.expect(/^(\d{4}|0000)(-\d{2}-\d{2})?$/.test(claims.birthdate), "claim birthdate must be YYYY, YYYY-MM-DD or 0000-MM-DD");
}

/** AbstractVerifyScopesReturnedInClaims: the standard claims of each requested scope. */
export const SCOPE_CLAIMS = {
	openid: ["sub"],
	profile: ["name", "given_name", "family_name", "middle_name", "nickname", "profile", "picture", "website", "gender", "birthdate", "zoneinfo", "locale", "updated_at", "preferred_username"],
	email: ["email", "email_verified"],
	address: ["address"],
	phone: ["phone_number", "phone_number_verified"],
	offline_access: [],
};

/**
 * VerifyScopesReturnedInUserInfoClaims (WARNING). The OIDF table expects every standard claim of
 * a scope; by default only those the OP lists in claims_supported are expected (an OP cannot
 * return a claim it does not hold). --strict-scope-claims uses the OIDF table as is.
 */
export function verifyScopeClaims(ctx, env, scope, claims, { strict = false } = {}) {
	const supported = new Set(env.as.claims_supported ?? []);
	const expected = scope.split(" ").flatMap((s) => SCOPE_CLAIMS[s] ?? []);
	const missing = expected.filter((c) => !(c in claims) && (strict || c === "sub" || supported.has(c)));
	const notHeld = expected.filter((c) => !(c in claims) && !missing.includes(c));
	if (notHeld.length) ctx.note(`standard claims not in claims_supported, not expected: ${notHeld.join(" ")}`);
	const which = strict ? `standard claims of scope "${scope}"` : `claims of scope "${scope}" that discovery lists in claims_supported`;
	ctx.expect(missing.length === 0, `userinfo lacks ${which}: ${missing.join(", ")}`, "WARNING");
}

/** OIDCCCheckScopesSupportedContainScopeTest: skip when discovery does not list the scopes. */
export function skipUnlessScopesSupported(ctx, env, scope) {
	const supported = env.as.scopes_supported;
	if (!Array.isArray(supported)) return;
	const absent = scope.split(" ").filter((s) => !supported.includes(s));
	if (absent.length) ctx.skip(`scopes_supported does not list ${absent.join(", ")}, so the OP does not support the scopes this test needs`);
}

// ---------------------------------------------------------------------------------------------
// Whole flows

/**
 * A complete code flow, as AbstractOIDCCServerTest: authorization request through the browser,
 * callback checks, token request, ID token validation, then the UserInfo call the suite makes as
 * its "protected resource" (requestProtectedResource).
 */
export async function codeFlow(ctx, env, o = {}) {
	const rp = o.rp ?? env.rp(o.client ?? "basic");
	const browser = o.browser ?? env.shared;
	const req = await authRequest(env, rp, o);
	ctx.log(`authorization request (${o.method ?? "GET"}): ${req.params}`);
	const out = await ctx.must("authorization request", () => authorize(env, browser, req.params, { method: o.method, allowLogin: o.allowLogin ?? true }));
	if (out.throttled) ctx.note(`sign-in throttled (429), waited Retry-After ${out.throttled} s`);
	if (o.expectLogin === true) ctx.expect(out.loginPages > 0, "the OP did not show its sign-in page (a new authentication was required)");
	if (o.expectLogin === false) ctx.expect(out.loginPages === 0, "the OP asked the user to sign in again although the session should have been used");
	const validated = expectCode(ctx, env, req, out);
	const t = await redeem(ctx, env, req, validated, { maxAge: o.maxAge });
	let info;
	if (o.userinfo !== false) info = await userinfo(ctx, env, rp, t.accessToken, t.claims.sub, "get");
	return { ...t, req, out, rp, browser, validated, userinfo: info };
}

/** A flow expected to end in an error at the authorization endpoint (OIDF error-response modules). */
export async function errorFlow(ctx, env, o = {}) {
	const rp = o.rp ?? env.rp(o.client ?? "basic");
	const browser = o.browser ?? env.shared;
	const req = await authRequest(env, rp, o);
	ctx.log(`authorization request (${o.method ?? "GET"}): ${req.params}`);
	const out = await ctx.must("authorization request", () => authorize(env, browser, req.params, { method: o.method, allowLogin: o.allowLogin ?? true }));
	return { req, out, rp, browser };
}
