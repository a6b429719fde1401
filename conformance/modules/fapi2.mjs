// FAPI 2.0 Security Profile (Final) for the authorization server, the private_key_jwt + DPoP
// variant with PAR, as the OpenID Foundation's test plan checks it: the happy flow and each
// "ensure ... fails". The client is oauth4webapi (PrivateKeyJwt, DPoP, pushedAuthorizationRequest)
// wherever a well-behaved client is needed; the negative checks build the bad assertion, proof or
// request object by hand with node:crypto. They run against the `fapi2` client of the setup file
// (a Lanyard client registered with `--profile fapi2`), and are skipped when there is none.

import { constants, createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import * as oauth from "oauth4webapi";

import { sleep } from "../lib/harness.mjs";
import { authorize, b64u, callback, describeOutcome, expectErrorPage, randomState } from "../lib/op.mjs";

const P = "fapi2-security-profile-final-";
const now = () => Math.floor(Date.now() / 1000);

/** A compact JWS signed with a private JWK (node:crypto). */
function signJwt(header, payload, privateJwk) {
	const key = createPrivateKey({ key: privateJwk, format: "jwk" });
	const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(payload))}`;
	const data = Buffer.from(input, "ascii");
	const sig =
		header.alg === "ES256"
			? sign("sha256", data, { key, dsaEncoding: "ieee-p1363" })
			: header.alg === "PS256"
				? sign("sha256", data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 })
				: sign("sha256", data, key);
	return `${input}.${b64u(sig)}`;
}

/** The fapi2 client of the setup file, as oauth4webapi wants it, with a fresh DPoP key. */
async function fapiClient(ctx, env, { extractable = false } = {}) {
	const conf = env.setup.clients.fapi2;
	if (!conf) ctx.skip("the setup file has no fapi2 client (this Lanyard's CLI has no --profile)");
	const jwk = (kid) => conf.private_jwks.keys.find((k) => k.kid === kid);
	const { kid: _kid, alg: _alg, ...es } = jwk("es");
	const key = await crypto.subtle.importKey("jwk", es, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
	const client = { client_id: conf.client_id, token_endpoint_auth_method: "private_key_jwt", id_token_signed_response_alg: "ES256" };
	const dpopKeys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, extractable, ["sign", "verify"]);
	return {
		dpopKeys,
		conf,
		client,
		auth: oauth.PrivateKeyJwt({ key, kid: "es" }),
		dpop: oauth.DPoP(client, dpopKeys),
		es: jwk("es"),
		rs: jwk("rs"),
	};
}

/** Retries once when the server asks for its DPoP nonce (RFC 9449 §8), as a client must. */
async function withNonce(fn) {
	try {
		return await fn();
	} catch (e) {
		if (oauth.isDPoPNonceError(e)) return fn();
		throw e;
	}
}

/** A client assertion built by hand: good unless `edit` says otherwise. */
function assertion(env, f, { header = {}, claims = {}, jwk = f.es } = {}) {
	const t = now();
	const payload = { iss: f.client.client_id, sub: f.client.client_id, aud: env.as.issuer, exp: t + 60, iat: t, jti: randomUUID(), ...claims };
	return signJwt({ alg: "ES256", kid: "es", ...header }, payload, jwk);
}

async function post(url, form, headers = {}) {
	const res = await fetch(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body: new URLSearchParams(form) });
	let body = null;
	try {
		body = await res.json();
	} catch {}
	return { status: res.status, body, headers: res.headers };
}

/** The authorization parameters of a FAPI 2.0 request (PKCE S256, state, nonce). */
async function requestParams(env, f, extra = {}) {
	const verifier = oauth.generateRandomCodeVerifier();
	const state = randomState();
	const nonce = oauth.generateRandomNonce();
	const params = new URLSearchParams({
		client_id: f.client.client_id,
		redirect_uri: env.setup.redirect_uri,
		response_type: "code",
		scope: "openid",
		state,
		nonce,
		code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
		code_challenge_method: "S256",
	});
	for (const [k, v] of Object.entries(extra)) {
		if (v === undefined) params.delete(k);
		else params.set(k, v);
	}
	return { params, verifier, state, nonce };
}

/** PAR with oauth4webapi (private_key_jwt and a DPoP proof), then the browser leg. */
async function pushAndAuthorize(ctx, env, f, req, { browser = env.shared } = {}) {
	const par = await ctx.must("pushed authorization request (oauth4webapi)", () =>
		withNonce(async () =>
			oauth.processPushedAuthorizationResponse(
				env.as,
				f.client,
				await oauth.pushedAuthorizationRequest(env.as, f.client, f.auth, req.params, { DPoP: f.dpop, ...env.http }),
			),
		),
	);
	ctx.expect(typeof par.expires_in === "number" && par.expires_in <= 600, `PAR expires_in ${par.expires_in} is not under 600 s (RFC 9126)`);
	const front = new URLSearchParams({ client_id: f.client.client_id, request_uri: par.request_uri });
	const out = await ctx.must("authorization request", () => authorize(env, browser, front));
	return { par, out, front };
}

/** The callback, validated by oauth4webapi (iss, state); FAPI 2.0 §5.3.2.2: a 303 redirect. */
function expectCodeCallback(ctx, env, f, req, out) {
	const cb = callback(out);
	if (!cb) ctx.stop(`expected a redirect with a code, got ${describeOutcome(out)}`);
	ctx.expect(out.res.status === 303, `the authorization response came with HTTP ${out.res.status}, not 303 (FAPI 2.0 §5.3.2.2)`);
	try {
		return oauth.validateAuthResponse(env.as, f.client, cb.params, req.state);
	} catch (e) {
		ctx.stop(`authorization response rejected: ${e.error ?? e.message}`);
	}
}

async function redeem(ctx, env, f, req, callbackParams, dpop = f.dpop) {
	const res = await withNonce(async () =>
		oauth.processAuthorizationCodeResponse(
			env.as,
			f.client,
			await oauth.authorizationCodeGrantRequest(env.as, f.client, f.auth, callbackParams, env.setup.redirect_uri, req.verifier, { DPoP: dpop, ...env.http }),
			{ expectedNonce: req.nonce, requireIdToken: true },
		),
	);
	return res;
}

/** The whole flow, once per run: later modules reuse its tokens. */
async function happyFlow(ctx, env, f) {
	const req = await requestParams(env, f);
	const { out } = await pushAndAuthorize(ctx, env, f, req);
	const validated = expectCodeCallback(ctx, env, f, req, out);
	const tokens = await ctx.must("token request (oauth4webapi, private_key_jwt + DPoP)", () => redeem(ctx, env, f, req, validated));
	ctx.expect(tokens.token_type?.toLowerCase() === "dpop", `token_type is ${tokens.token_type}, not DPoP`);
	const claims = oauth.getValidatedIdTokenClaims(tokens);
	return { req, tokens, claims };
}

/** Hand-built DPoP proofs signed with `priv`, naming `pub`. */
function proofsOf(pub, priv) {
	return (claims) => signJwt({ typ: "dpop+jwt", alg: "ES256", jwk: { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y } }, { jti: randomUUID(), iat: now(), ...claims }, priv);
}

/** Hand-built DPoP proofs with a key of their own. */
function rawProofKey() {
	const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
	return proofsOf(publicKey.export({ format: "jwk" }), privateKey.export({ format: "jwk" }));
}

/** Hand-built DPoP proofs with the client's own (extractable) DPoP key. */
async function ownProofKey(f) {
	const pub = await crypto.subtle.exportKey("jwk", f.dpopKeys.publicKey);
	const priv = await crypto.subtle.exportKey("jwk", f.dpopKeys.privateKey);
	return proofsOf(pub, priv);
}

/** The server's current DPoP nonce, as a proof without one is told. */
async function serverNonce(env, proofWith) {
	const r = await post(env.as.token_endpoint, { grant_type: "refresh_token", refresh_token: "x" }, { dpop: proofWith({ htm: "POST", htu: env.as.token_endpoint }) });
	return r.headers.get("dpop-nonce") ?? undefined;
}

const ath = (token) => b64u(createHash("sha256").update(token, "ascii").digest());

async function userinfoRaw(env, scheme, token, proof) {
	const headers = { authorization: `${scheme} ${token}` };
	if (proof) headers.dpop = proof;
	const res = await fetch(env.as.userinfo_endpoint, { headers });
	return { status: res.status, challenge: res.headers.get("www-authenticate") ?? "" };
}

export const fapi2Modules = [
	{
		name: `${P}discovery-end-point-verification`,
		run: async (ctx, env) => {
			await fapiClient(ctx, env);
			const as = env.as;
			ctx.expect(typeof as.pushed_authorization_request_endpoint === "string", "no pushed_authorization_request_endpoint");
			ctx.expect(as.token_endpoint_auth_methods_supported?.includes("private_key_jwt"), "token_endpoint_auth_methods_supported lacks private_key_jwt");
			const algs = as.token_endpoint_auth_signing_alg_values_supported ?? [];
			ctx.expect(["PS256", "ES256", "EdDSA"].some((a) => algs.includes(a)), "no FAPI 2.0 algorithm for client assertions");
			const dpopAlgs = as.dpop_signing_alg_values_supported ?? [];
			ctx.expect(dpopAlgs.length > 0, "dpop_signing_alg_values_supported is missing");
			ctx.expect(!dpopAlgs.some((a) => a === "none" || a.startsWith("HS")), `dpop_signing_alg_values_supported lists ${dpopAlgs}`);
			ctx.expect(as.code_challenge_methods_supported?.includes("S256"), "code_challenge_methods_supported lacks S256");
			ctx.expect(as.authorization_response_iss_parameter_supported === true, "authorization_response_iss_parameter_supported is not true (RFC 9207)");
			ctx.expect(!(as.request_object_signing_alg_values_supported ?? []).includes("none"), "request objects may be unsigned");
			ctx.expect(JSON.stringify(as.response_types_supported) === '["code"]', `response_types_supported is ${JSON.stringify(as.response_types_supported)}`);
			if (!as.issuer.startsWith("https:")) ctx.note("the issuer is http on loopback (a test deployment); FAPI 2.0 requires https");
		},
	},
	{
		name: `${P}happy-flow`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const { tokens, claims } = await happyFlow(ctx, env, f);
			const info = await ctx.must("UserInfo with the DPoP-bound token (oauth4webapi)", () =>
				withNonce(async () =>
					oauth.processUserInfoResponse(env.as, f.client, claims.sub, await oauth.userInfoRequest(env.as, f.client, tokens.access_token, { DPoP: f.dpop, ...env.http })),
				),
			);
			ctx.expect(info.sub === claims.sub, "UserInfo sub differs from the ID token's");
		},
	},
	{
		name: `${P}ensure-client-assertion-signed-with-rs256-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const req = await requestParams(env, f);
			const bad = assertion(env, f, { header: { alg: "RS256", kid: "rs" }, jwk: f.rs });
			const r = await post(env.as.pushed_authorization_request_endpoint, { ...Object.fromEntries(req.params), client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: bad });
			ctx.expect(r.status === 401 && r.body?.error === "invalid_client", `an RS256 client assertion got HTTP ${r.status} ${JSON.stringify(r.body)}`);
		},
	},
	{
		name: `${P}client-assertion-aud-variations`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const cases = [
				["the issuer as a string", env.as.issuer, 201],
				["the issuer inside an array (FAPI 2.0 §5.3.2.1: a string only)", [env.as.issuer], 401],
				["the token endpoint", env.as.token_endpoint, 401],
				["another server", "https://other.example", 401],
			];
			for (const [what, aud, expected] of cases) {
				const req = await requestParams(env, f);
				const r = await post(env.as.pushed_authorization_request_endpoint, {
					...Object.fromEntries(req.params),
					client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
					client_assertion: assertion(env, f, { claims: { aud } }),
				});
				ctx.expect(r.status === expected, `aud ${what}: HTTP ${r.status}, expected ${expected} (${JSON.stringify(r.body)})`);
			}
		},
	},
	{
		name: `${P}ensure-expired-client-assertion-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const req = await requestParams(env, f);
			const t = now();
			const r = await post(env.as.pushed_authorization_request_endpoint, {
				...Object.fromEntries(req.params),
				client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
				client_assertion: assertion(env, f, { claims: { iat: t - 120, exp: t - 60 } }),
			});
			ctx.expect(r.status === 401 && r.body?.error === "invalid_client", `an expired assertion got HTTP ${r.status} ${JSON.stringify(r.body)}`);
		},
	},
	{
		name: `${P}signed-request-object-and-ensure-unsigned-or-expired-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const objectFor = async (edit = {}, header = { alg: "ES256", kid: "es", typ: "oauth-authz-req+jwt" }) => {
				const req = await requestParams(env, f);
				const t = now();
				const claims = { ...Object.fromEntries(req.params), iss: f.client.client_id, aud: env.as.issuer, nbf: t, exp: t + 300, jti: randomUUID(), ...edit };
				const jwt = header.alg === "none" ? `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}.` : signJwt(header, claims, header.kid === "rs" ? f.rs : f.es);
				return { client_id: f.client.client_id, request: jwt, client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", client_assertion: assertion(env, f) };
			};
			const par = env.as.pushed_authorization_request_endpoint;
			const good = await post(par, await objectFor());
			ctx.expect(good.status === 201, `a signed request object pushed: HTTP ${good.status} ${JSON.stringify(good.body)}`);
			const t = now();
			for (const [what, form] of [
				["RS256 (outside FAPI 2.0)", await objectFor({}, { alg: "RS256", kid: "rs", typ: "oauth-authz-req+jwt" })],
				["without nbf", await objectFor({ nbf: undefined })],
				["valid for over an hour from its nbf", await objectFor({ nbf: t - 1800, exp: t + 1900 })],
				["unsigned (alg none)", await objectFor({}, { alg: "none" })],
				["expired", await objectFor({ nbf: t - 600, exp: t - 60 })],
				["valid for over an hour", await objectFor({ exp: t + 7200 })],
				["for another audience", await objectFor({ aud: "https://other.example" })],
			]) {
				const r = await post(par, form);
				ctx.expect(r.status === 400 && r.body?.error === "invalid_request_object", `${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
			}
		},
	},
	{
		name: `${P}par-attempt-reuse-request-uri`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const req = await requestParams(env, f);
			const { out, front } = await pushAndAuthorize(ctx, env, f, req);
			expectCodeCallback(ctx, env, f, req, out);
			const again = await ctx.must("the same request_uri again", () => authorize(env, env.shared, front));
			if (again.type === "page") ctx.expect(again.res.status >= 400 && again.res.status < 500, `reused request_uri: an error page with HTTP ${again.res.status}`);
			if (expectErrorPage(ctx, again, "reused request_uri")) return;
			const cb = callback(again);
			ctx.expect(cb && cb.params.get("error") && !cb.params.get("code"), `a reused request_uri got ${describeOutcome(again)}`);
		},
	},
	{
		name: `${P}ensure-authorization-request-without-par-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const req = await requestParams(env, f);
			const out = await ctx.must("authorization request without PAR", () => authorize(env, env.shared, req.params));
			if (out.type === "page") ctx.expect(out.res.status >= 400 && out.res.status < 500, `no PAR: an error page with HTTP ${out.res.status}`);
			if (expectErrorPage(ctx, out, "no PAR")) return;
			const cb = callback(out);
			ctx.expect(cb?.params.get("error") === "invalid_request", `no PAR: ${describeOutcome(out)}`);
		},
	},
	{
		name: `${P}ensure-pkce-missing-or-plain-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			for (const [what, extra] of [
				["no code_challenge", { code_challenge: undefined, code_challenge_method: undefined }],
				["plain", { code_challenge: oauth.generateRandomCodeVerifier(), code_challenge_method: "plain" }],
			]) {
				const req = await requestParams(env, f, extra);
				const push = () => oauth.pushedAuthorizationRequest(env.as, f.client, f.auth, req.params, { DPoP: f.dpop, ...env.http });
				const err = await withNonce(async () => oauth.processPushedAuthorizationResponse(env.as, f.client, await push())).then(
					() => null,
					(e) => e,
				);
				ctx.expect(err?.error === "invalid_request", `PKCE ${what}: ${err ? err.error : "accepted"}`);
			}
		},
	},
	{
		name: `${P}ensure-missing-or-mismatched-dpop-proof-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const req = await requestParams(env, f);
			const { out } = await pushAndAuthorize(ctx, env, f, req);
			const validated = expectCodeCallback(ctx, env, f, req, out);
			const missing = await oauth.authorizationCodeGrantRequest(env.as, f.client, f.auth, validated, env.setup.redirect_uri, req.verifier, env.http);
			const body = await missing.json();
			ctx.expect(missing.status === 400 && body.error === "invalid_dpop_proof", `no DPoP proof at the token endpoint: HTTP ${missing.status} ${JSON.stringify(body)}`);
			// The code was bound to the key of the proof at PAR: another key gets nothing.
			const other = oauth.DPoP(f.client, await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]));
			const err = await redeem(ctx, env, f, req, validated, other).then(
				() => null,
				(e) => e,
			);
			ctx.expect(["invalid_grant", "invalid_dpop_proof"].includes(err?.error), `a proof of another key: ${err ? err.error : "tokens issued"}`);
		},
	},
	{
		name: `${P}ensure-dpop-bound-token-needs-a-fresh-proof`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env, { extractable: true });
			const { tokens } = await happyFlow(ctx, env, f);
			const token = tokens.access_token;
			const bearer = await userinfoRaw(env, "Bearer", token);
			ctx.expect(bearer.status === 401 && /^DPoP\b/.test(bearer.challenge), `the bound token as a bearer token: HTTP ${bearer.status} (${bearer.challenge})`);
			// Proofs built by hand with the token's own key: one right (the control), then each
			// with one claim wrong; and a right one of a key the token is not bound to.
			const own = await ownProofKey(f);
			const nonce = await serverNonce(env, own);
			const ui = env.as.userinfo_endpoint;
			const good = { htm: "GET", htu: ui, ath: ath(token), nonce };
			const control = await userinfoRaw(env, "DPoP", token, own(good));
			ctx.expect(control.status === 200, `a right proof built by hand: HTTP ${control.status} (${control.challenge})`, "STOP");
			const stranger = await userinfoRaw(env, "DPoP", token, rawProofKey()({ ...good }));
			ctx.expect(stranger.status === 401, `a proof of another key: HTTP ${stranger.status}`);
			for (const [what, edit] of [
				["the token endpoint as htu", { htu: env.as.token_endpoint }],
				["POST as htm", { htm: "POST" }],
				["no ath", { ath: undefined }],
				["another token's ath", { ath: ath(`${token}x`) }],
				["an iat an hour old", { iat: now() - 3600 }],
				["an iat a minute ahead", { iat: now() + 60 }],
				["no nonce", { nonce: undefined }],
			]) {
				const claims = { ...good, ...edit };
				for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
				const r = await userinfoRaw(env, "DPoP", token, own(claims));
				ctx.expect(r.status === 401, `${what}: HTTP ${r.status}`);
			}
		},
	},
	{
		name: `${P}ensure-dpop-proof-replay-fails`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const { tokens, claims } = await happyFlow(ctx, env, f);
			// The client's own request, captured on its way out and sent again as it was.
			let sent;
			const capture = (url, options) => {
				sent = { url, headers: new Headers(options.headers) };
				return fetch(url, options);
			};
			await ctx.must("UserInfo (oauth4webapi, DPoP)", () =>
				withNonce(async () =>
					oauth.processUserInfoResponse(
						env.as,
						f.client,
						claims.sub,
						await oauth.userInfoRequest(env.as, f.client, tokens.access_token, { DPoP: f.dpop, [oauth.customFetch]: capture, ...env.http }),
					),
				),
			);
			ctx.expect(sent?.headers.has("dpop"), "the request carried no DPoP proof", "STOP");
			const replay = await fetch(sent.url, { headers: sent.headers });
			const challenge = replay.headers.get("www-authenticate") ?? "";
			ctx.expect(replay.status === 401 && /invalid_dpop_proof/.test(challenge), `the same proof again: HTTP ${replay.status} (${challenge})`);
		},
	},
	{
		name: `${P}refresh-token`,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const { tokens } = await happyFlow(ctx, env, f);
			if (!tokens.refresh_token) ctx.stop("no refresh token was issued");
			const rt = tokens.refresh_token;
			for (let i = 0; i < 2; i++) {
				const refreshed = await ctx.must(`refresh ${i + 1} (oauth4webapi, DPoP)`, () =>
					withNonce(async () =>
						oauth.processRefreshTokenResponse(env.as, f.client, await oauth.refreshTokenGrantRequest(env.as, f.client, f.auth, rt, { DPoP: f.dpop, ...env.http })),
					),
				);
				ctx.expect(refreshed.token_type?.toLowerCase() === "dpop", `refreshed token_type ${refreshed.token_type}`);
				// FAPI 2.0 §5.3.2.1: refresh tokens are not rotated.
				ctx.expect(!refreshed.refresh_token || refreshed.refresh_token === rt, "the refresh token was rotated");
			}
		},
	},
	{
		name: `${P}ensure-authorization-code-older-than-60-seconds-fails`,
		slow: true,
		run: async (ctx, env) => {
			const f = await fapiClient(ctx, env);
			const req = await requestParams(env, f);
			const { out } = await pushAndAuthorize(ctx, env, f, req, { browser: env.newBrowser() });
			const validated = expectCodeCallback(ctx, env, f, req, out);
			await sleep(62_000);
			const err = await redeem(ctx, env, f, req, validated).then(
				() => null,
				(e) => e,
			);
			ctx.expect(err?.error === "invalid_grant", `a code 62 s old: ${err ? err.error : "tokens issued"}`);
		},
	},
];
