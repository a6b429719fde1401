// The OIDF "Basic OP" and "Form Post OP" (code flow) modules, and the "Config OP" ones.

import { createServer } from "node:http";

import * as oauth from "oauth4webapi";

import { sleep } from "../lib/harness.mjs";
import {
	authorize,
	authRequest,
	b64u,
	callback,
	checkIdToken,
	codeFlow,
	decodeJwt,
	describeOutcome,
	errorFlow,
	expectAuthzError,
	expectCode,
	expectErrorPage,
	expectTokenError,
	randomState,
	rawTokenRequest,
	redeem,
	skipUnlessScopesSupported,
	userinfo,
	verifyScopeClaims,
} from "../lib/op.mjs";

const UI_ERRORS = ["login_required", "interaction_required", "account_selection_required", "consent_required"];

// --- shared shapes ---------------------------------------------------------------------------

/** AbstractOIDCCReturnedClaimsServerTest / AbstractOIDCCScopesServerTest */
async function scopeModule(ctx, env, scope, { reverse = false, emailScopeChecks = false } = {}) {
	skipUnlessScopesSupported(ctx, env, scope);
	const requested = reverse ? scope.split(" ").reverse().join(" ") : scope;
	const r = await codeFlow(ctx, env, { scope: requested, userinfo: false });
	if (emailScopeChecks) {
		// EnsureIdTokenDoesNotContainName, EnsureIdTokenDoesNotContainEmailForScopeEmail (WARNING, OIDCC-5.4):
		// with an access token the scope's claims belong in UserInfo, not the ID token.
		ctx.expect(!("name" in r.claims), "ID token contains name although only the email scope was requested", "WARNING");
		ctx.expect(!("email" in r.claims), "ID token contains email although an access token was issued (OIDC Core §5.4)", "WARNING");
	}
	const info = await userinfo(ctx, env, r.rp, r.accessToken, r.claims.sub, "get");
	verifyScopeClaims(ctx, env, scope, info, { strict: env.strictScopeClaims });
}

/** AbstractOIDCCSameAuthTwiceServerTest: a second request answered from the same authentication. */
async function sameAuthTwice(ctx, env, second) {
	const browser = env.shared;
	const first = await codeFlow(ctx, env, { browser });
	const again = await codeFlow(ctx, env, { browser, expectLogin: false, allowLogin: false, ...second(first) });
	// CheckIdTokenAuthTimeClaimsSameIfPresent, CheckIdTokenSubConsistentForSecondAuthorization
	if (first.claims.auth_time !== undefined && again.claims.auth_time !== undefined) {
		ctx.expect(first.claims.auth_time === again.claims.auth_time, `auth_time changed from ${first.claims.auth_time} to ${again.claims.auth_time} without a new authentication`);
	}
	ctx.expect(first.claims.sub === again.claims.sub, "sub differs between the two authorizations");
	return { first, again };
}

/** A code flow with one extra authorization parameter that the OP must accept or ignore. */
const withParams = (extra, o = {}) => async (ctx, env) => {
	const r = await codeFlow(ctx, env, { extra: typeof extra === "function" ? extra(env) : extra, ...o });
	return r;
};

/** An alg:none JWT, as SerializeRequestObjectWithNullAlgorithm. */
function unsignedJwt(claims) {
	return `${b64u(JSON.stringify({ alg: "none" }))}.${b64u(JSON.stringify(claims))}.`;
}

/** ConvertAuthorizationEndpointRequestToRequestObject + AddAud/AddIss. */
function requestObjectClaims(env, req) {
	const claims = Object.fromEntries(req.params);
	claims.aud = env.issuer;
	claims.iss = req.rp.client.client_id;
	return claims;
}

/** The parameters that must stay outside a request object (BuildRequestObject...RedirectToAuthorizationEndpoint). */
function outerParams(req, extra) {
	const p = new URLSearchParams();
	for (const k of ["response_type", "client_id", "scope", "redirect_uri"]) p.set(k, req.params.get(k));
	for (const [k, v] of Object.entries(extra)) p.set(k, v);
	return p;
}

/** Either a full success (processed correctly) or `unsupportedError`, which skips the module as the OIDF suite does. */
async function requestObjectOutcome(ctx, env, req, out, unsupportedError, what) {
	const cb = callback(out);
	if (!cb) ctx.stop(`${what}: expected a redirect to the client (success or ${unsupportedError}), got ${describeOutcome(out)}`);
	const error = cb.params.get("error");
	if (error) {
		const got = expectAuthzError(ctx, env, req, out, [unsupportedError], { stateEchoed: false });
		if (got === unsupportedError && ctx.failures.length === 0) {
			ctx.skip(`the OP answered ${unsupportedError} (permitted: ${what} not supported); the rejection was checked (redirect_uri, iss, no code, error_description)`);
		}
		return;
	}
	const validated = expectCode(ctx, env, req, out);
	const t = await redeem(ctx, env, req, validated);
	await userinfo(ctx, env, req.rp, t.accessToken, t.claims.sub, "get");
	ctx.note(`${what} processed`);
}

// --- modules ---------------------------------------------------------------------------------

export const basicModules = [
	{
		name: "oidcc-server",
		run: async (ctx, env) => {
			await codeFlow(ctx, env, { client: "basic" });
		},
	},
	{
		name: "oidcc-response-type-missing",
		run: async (ctx, env) => {
			const { req, out } = await errorFlow(ctx, env, { omit: ["response_type"] });
			if (expectErrorPage(ctx, out, "response_type missing")) return ctx.note("error page shown");
			if (!callback(out)) ctx.stop(`expected an error page or an error redirect, got ${describeOutcome(out)}`);
			expectAuthzError(ctx, env, req, out, ["invalid_request", "unsupported_response_type"]);
		},
	},
	{
		name: "oidcc-idtoken-signature",
		run: async (ctx, env) => {
			const r = await codeFlow(ctx, env);
			const { header } = decodeJwt(r.idToken);
			ctx.expect(header.alg !== "none", "ID token is not signed");
			ctx.note(`signed with ${header.alg}, verified against jwks_uri`);
		},
	},
	{
		name: "oidcc-idtoken-unsigned",
		run: async (ctx, env) => {
			const algs = env.as.id_token_signing_alg_values_supported ?? [];
			if (!algs.includes("none")) ctx.skip("id_token_signing_alg_values_supported does not list none, so unsigned ID tokens cannot be requested");
			ctx.stop("the OP lists alg none, which this runner does not request (static clients are registered with a signing alg)");
		},
	},
	{
		name: "oidcc-idtoken-rs256",
		run: async (ctx, env) => {
			ctx.expect((env.as.id_token_signing_alg_values_supported ?? []).includes("RS256"), "discovery does not list RS256 (OIDC Core §15.1 requires it)");
			const r = await codeFlow(ctx, env, { client: "basic" });
			ctx.expect(decodeJwt(r.idToken).header.alg === "RS256", "ID token is not RS256");
		},
	},
	{
		name: "oidcc-idtoken-es256",
		run: async (ctx, env) => {
			if (!(env.as.id_token_signing_alg_values_supported ?? []).includes("ES256")) ctx.skip("ES256 not in id_token_signing_alg_values_supported");
			const r = await codeFlow(ctx, env, { client: "es256" });
			ctx.expect(decodeJwt(r.idToken).header.alg === "ES256", "ID token is not ES256");
		},
	},
	{
		name: "oidcc-idtoken-eddsa",
		run: async (ctx, env) => {
			if (!(env.as.id_token_signing_alg_values_supported ?? []).includes("EdDSA")) ctx.skip("EdDSA not in id_token_signing_alg_values_supported");
			const r = await codeFlow(ctx, env, { client: "eddsa" });
			ctx.expect(decodeJwt(r.idToken).header.alg === "EdDSA", "ID token is not EdDSA");
		},
	},
	...["get", "post-header", "post-body"].map((how) => ({
		name: `oidcc-userinfo-${how}`,
		run: async (ctx, env) => {
			const r = await codeFlow(ctx, env, { userinfo: false });
			await userinfo(ctx, env, r.rp, r.accessToken, r.claims.sub, how);
		},
	})),
	{
		name: "oidcc-ensure-request-without-nonce-succeeds-for-code-flow",
		run: async (ctx, env) => {
			// oauth4webapi (expectNoNonce) fails the flow if the ID token carries a nonce anyway.
			await codeFlow(ctx, env, { nonce: false });
		},
	},
	{ name: "oidcc-scope-profile", run: (ctx, env) => scopeModule(ctx, env, "openid profile") },
	{ name: "oidcc-scope-email", run: (ctx, env) => scopeModule(ctx, env, "openid email", { emailScopeChecks: true }) },
	{ name: "oidcc-scope-address", run: (ctx, env) => scopeModule(ctx, env, "openid address") },
	{ name: "oidcc-scope-phone", run: (ctx, env) => scopeModule(ctx, env, "openid phone") },
	{ name: "oidcc-scope-all", run: (ctx, env) => scopeModule(ctx, env, "openid email phone address profile") },
	{
		name: "oidcc-ensure-other-scope-order-succeeds",
		run: (ctx, env) => scopeModule(ctx, env, "openid email", { reverse: true, emailScopeChecks: true }),
	},
	{ name: "oidcc-display-page", run: withParams({ display: "page" }) },
	{ name: "oidcc-display-popup", run: withParams({ display: "popup" }) },
	{
		name: "oidcc-prompt-login",
		run: async (ctx, env) => {
			const browser = env.shared;
			const first = await codeFlow(ctx, env, { browser });
			// A person signs in again; auth_time has a resolution of one second.
			await sleep(1100);
			const second = await codeFlow(ctx, env, { browser, extra: { prompt: "login" }, expectLogin: true });
			// CheckIdTokenAuthTimeClaimsDifferIfPresent
			if (first.claims.auth_time !== undefined && second.claims.auth_time !== undefined) {
				ctx.expect(second.claims.auth_time > first.claims.auth_time, `auth_time did not change after prompt=login (${first.claims.auth_time} → ${second.claims.auth_time})`);
			}
		},
	},
	{
		name: "oidcc-prompt-none-not-logged-in",
		run: async (ctx, env) => {
			// A browser without an OP session ("remove any cookies you may have received from the OP").
			const { req, out } = await errorFlow(ctx, env, { browser: env.newBrowser(), extra: { prompt: "none" }, stateLength: 128, allowLogin: false });
			if (out.type === "login") ctx.stop("prompt=none: the OP showed its sign-in page instead of answering login_required");
			if (!callback(out)) ctx.stop(`prompt=none must answer by redirect (OIDC Core §3.1.2.6), got ${describeOutcome(out)}`);
			expectAuthzError(ctx, env, req, out, UI_ERRORS);
		},
	},
	{
		name: "oidcc-prompt-none-logged-in",
		run: (ctx, env) => sameAuthTwice(ctx, env, () => ({ extra: { prompt: "none" } })),
	},
	{
		name: "oidcc-max-age-1",
		run: async (ctx, env) => {
			const browser = env.shared;
			const first = await codeFlow(ctx, env, { browser });
			await sleep(2000); // WaitFor2Seconds
			const second = await codeFlow(ctx, env, { browser, extra: { max_age: "1" }, maxAge: 1, expectLogin: true });
			// CheckIdTokenAuthTimeClaimPresentDueToMaxAge (oauth4webapi requires it with maxAge),
			// CheckSecondIdTokenAuthTimeIsLaterIfPresent, CheckIdTokenAuthTimeIsRecentIfPresent
			ctx.expect(second.claims.auth_time !== undefined, "no auth_time in the ID token although max_age was requested");
			if (first.claims.auth_time !== undefined && second.claims.auth_time !== undefined) {
				ctx.expect(second.claims.auth_time > first.claims.auth_time, `auth_time not later after re-authentication (${first.claims.auth_time} → ${second.claims.auth_time})`);
			}
			const now = Math.floor(Date.now() / 1000);
			ctx.expect(Math.abs(now - second.claims.auth_time) < 300, `auth_time ${second.claims.auth_time} is not recent`);
		},
	},
	{
		name: "oidcc-max-age-10000",
		run: async (ctx, env) => {
			const { again } = await sameAuthTwice(ctx, env, () => ({ extra: { max_age: "10000" }, maxAge: 10000 }));
			ctx.expect(again.claims.auth_time !== undefined, "no auth_time in the ID token although max_age was requested");
		},
	},
	{ name: "oidcc-ensure-request-with-unknown-parameter-succeeds", run: withParams({ extra: "foobar" }) },
	{
		name: "oidcc-id-token-hint",
		run: (ctx, env) => sameAuthTwice(ctx, env, (first) => ({ extra: { prompt: "none", id_token_hint: first.idToken } })),
	},
	{ name: "oidcc-login-hint", run: withParams((env) => ({ login_hint: env.credentials.login_name })) },
	{ name: "oidcc-ui-locales", run: withParams({ ui_locales: "se" }) },
	{ name: "oidcc-claims-locales", run: withParams({ claims_locales: "se" }) },
	{
		name: "oidcc-ensure-request-with-acr-values-succeeds",
		run: async (ctx, env) => {
			const r = await codeFlow(ctx, env, { extra: { acr_values: "1 2" } });
			// ValidateIdTokenACRClaimAgainstRequest: only essential acr requests bind the OP.
			if (r.claims.acr !== undefined) ctx.expect(typeof r.claims.acr === "string", "acr must be a string");
		},
	},
	{
		name: "oidcc-codereuse",
		run: async (ctx, env) => {
			const r = await codeFlow(ctx, env);
			const again = await rawTokenRequest(env, r.rp, "authorization_code", { code: r.validated.get("code"), redirect_uri: r.req.redirectUri });
			if (again.status === 200) ctx.warn("the OP accepted the authorization code a second time (ServerAllowedReusingAuthorisationCode)");
			else expectTokenError(ctx, again, ["invalid_grant"]);
		},
	},
	{
		name: "oidcc-codereuse-30seconds",
		slow: true,
		run: async (ctx, env) => {
			// Runs alongside the other modules, so in a browser of its own.
			const r = await codeFlow(ctx, env, { browser: env.newBrowser() });
			await sleep(30_000); // WaitFor30Seconds
			const again = await rawTokenRequest(env, r.rp, "authorization_code", { code: r.validated.get("code"), redirect_uri: r.req.redirectUri });
			expectTokenError(ctx, again, ["invalid_grant"]);
			// CallProtectedResourceWithBearerTokenExpectingError (WARNING, RFC 6749 §4.1.2)
			const res = await fetch(env.as.userinfo_endpoint, { headers: { authorization: `Bearer ${r.accessToken}` } });
			ctx.expect(res.status !== 200, "the access token issued for the reused code still works (RFC 6749 §4.1.2: SHOULD be revoked)", "WARNING");
		},
	},
	{
		name: "oidcc-ensure-registered-redirect-uri",
		run: async (ctx, env) => {
			const bad = `${new URL(env.setup.redirect_uri).origin}/conformance/unregistered-${randomState(10)}`;
			const { out } = await errorFlow(ctx, env, { redirectUri: bad });
			if (out.type === "redirect" || out.type === "form_post") ctx.stop(`the OP answered an unregistered redirect_uri with ${describeOutcome(out)}`);
			if (out.type === "login") ctx.stop("the OP asked the user to sign in before rejecting the unregistered redirect_uri");
			expectErrorPage(ctx, out, "unregistered redirect_uri");
		},
	},
	{
		name: "oidcc-redirect-uri-query-added",
		run: async (ctx, env) => {
			const bad = new URL(env.setup.redirect_uri);
			bad.searchParams.set("foo", "bar");
			const { out } = await errorFlow(ctx, env, { redirectUri: bad.href });
			if (out.type === "redirect" || out.type === "form_post") ctx.stop(`the OP accepted a redirect_uri with a query added: ${describeOutcome(out)}`);
			expectErrorPage(ctx, out, "redirect_uri with query added");
		},
	},
	{
		name: "oidcc-ensure-redirect-uri-in-authorization-request",
		run: async (ctx, env) => {
			const { req, out } = await errorFlow(ctx, env, { omit: ["redirect_uri"] });
			if (expectErrorPage(ctx, out, "redirect_uri missing")) return ctx.note("error page shown");
			if (!callback(out)) ctx.stop(`expected an error page or an error redirect, got ${describeOutcome(out)}`);
			expectAuthzError(ctx, env, req, out, ["invalid_request", "invalid_request_object"]);
		},
	},
	{
		name: "oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported",
		run: async (ctx, env) => {
			const req = await authRequest(env, env.rp("basic"));
			const params = outerParams(req, { request: unsignedJwt(requestObjectClaims(env, req)) });
			const out = await ctx.must("authorization request", () => authorize(env, env.shared, params));
			// As the OpenID Foundation's module: an OP whose request_object_signing_alg_values_supported
			// leaves out "none" need not take unsigned objects; its refusal is checked, then skipped.
			const algs = env.as.request_object_signing_alg_values_supported;
			if (env.as.request_parameter_supported && Array.isArray(algs) && !algs.includes("none")) {
				const cb = callback(out);
				if (!cb) ctx.stop(`unsigned request object: expected an error redirect, got ${describeOutcome(out)}`);
				const got = expectAuthzError(ctx, env, req, out, ["invalid_request_object", "request_not_supported"], { stateEchoed: false });
				if (got && ctx.failures.length === 0) ctx.skip(`the OP does not accept alg none (request_object_signing_alg_values_supported=${algs.join(",")}) and refused it with ${got}`);
				return;
			}
			await requestObjectOutcome(ctx, env, req, out, "request_not_supported", "request objects");
		},
	},
	{
		name: "oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported",
		run: async (ctx, env) => {
			const req = await authRequest(env, env.rp("basic"));
			const jwt = unsignedJwt(requestObjectClaims(env, req));
			// The request object is served from a loopback listener, in case the OP fetches it.
			const server = createServer((_, res) => {
				res.writeHead(200, { "content-type": "application/oauth-authz-req+jwt" });
				res.end(jwt);
			});
			await new Promise((r) => server.listen(0, "127.0.0.1", r));
			try {
				const uri = `http://127.0.0.1:${server.address().port}/request-object/${randomState(16)}`;
				const params = outerParams(req, { request_uri: uri });
				const out = await ctx.must("authorization request", () => authorize(env, env.shared, params));
				await requestObjectOutcome(ctx, env, req, out, "request_uri_not_supported", "request_uri");
			} finally {
				server.close();
			}
		},
	},
	{
		name: "oidcc-ensure-request-object-with-redirect-uri",
		run: async (ctx, env) => {
			const req = await authRequest(env, env.rp("basic"));
			const invalid = `${env.setup.redirect_uri}/invalid`;
			const params = outerParams(req, { request: unsignedJwt(requestObjectClaims(env, req)) });
			params.set("redirect_uri", invalid); // AddInvalidRedirectUriToAuthorizationRequest
			const out = await ctx.must("authorization request", () => authorize(env, env.shared, params));
			const cb = callback(out);
			if (cb && cb.target === new URL(invalid).href) ctx.stop(`the OP redirected to the unregistered redirect_uri given outside the request object: ${describeOutcome(out)}`);
			if (out.type === "page") {
				ctx.skip(
					`the OP refused the unsigned request object (request_parameter_supported=${env.as.request_parameter_supported}) with an error page (HTTP ${out.res.status}): the redirect_uri outside the object is unregistered, and it did not redirect there`,
				);
			}
			await requestObjectOutcome(ctx, env, req, out, "request_not_supported", "request objects");
		},
	},
	{
		name: "oidcc-claims-essential",
		run: async (ctx, env) => {
			const claimsParam = JSON.stringify({ userinfo: { name: { essential: true } } });
			const r = await codeFlow(ctx, env, { extra: { claims: claimsParam }, userinfo: false });
			const info = await userinfo(ctx, env, r.rp, r.accessToken, r.claims.sub, "get");
			// EnsureUserInfoContainsName (WARNING) — an OP that does not support the claims
			// parameter may ignore it (OIDC Core §5.5, claims_parameter_supported=false).
			if (!("name" in info)) {
				if (env.as.claims_parameter_supported === false) ctx.note("claims parameter ignored (claims_parameter_supported=false)");
				else ctx.warn("name requested as an essential UserInfo claim but not returned");
			}
			// EnsureIdTokenDoesNotContainName (WARNING)
			ctx.expect(!("name" in r.claims), "name requested for UserInfo only, but the ID token contains it", "WARNING");
		},
	},
	{
		name: "oidcc-refresh-token",
		run: async (ctx, env) => {
			const rp = env.rp("basic");
			const first = await codeFlow(ctx, env, { rp, userinfo: false });
			const rt = first.tokens.refresh_token;
			const grants = env.as.grant_types_supported ?? [];
			if (!rt) {
				ctx.expect(!grants.includes("refresh_token"), "no refresh token issued although discovery lists the refresh_token grant", "WARNING");
				ctx.skip("Refresh tokens cannot be tested. No refresh token was issued.");
			}
			ctx.expect(grants.includes("refresh_token"), "a refresh token was issued but grant_types_supported omits refresh_token", "WARNING");
			const second = await refresh(ctx, env, rp, first, rt);
			await userinfo(ctx, env, rp, second.tokens.access_token, first.claims.sub, "get");
			// Client 2's refresh token must not work for client 1 (RefreshTokenRequestExpectingErrorSteps).
			const rp2 = env.rp("basic2");
			const other = await codeFlow(ctx, env, { rp: rp2, browser: first.browser, userinfo: false });
			if (!other.tokens.refresh_token) ctx.stop("the second client got no refresh token");
			const cross = await rawTokenRequest(env, rp, "refresh_token", { refresh_token: other.tokens.refresh_token });
			expectTokenError(ctx, cross, ["invalid_grant"], "refresh with another client's refresh token");
		},
	},
	{
		name: "oidcc-ensure-post-request-succeeds",
		run: async (ctx, env) => {
			await codeFlow(ctx, env, { method: "POST" });
		},
	},
	{
		name: "oidcc-server-client-secret-post",
		run: async (ctx, env) => {
			ctx.expect((env.as.token_endpoint_auth_methods_supported ?? ["client_secret_basic"]).includes("client_secret_post"), "token_endpoint_auth_methods_supported omits client_secret_post");
			await codeFlow(ctx, env, { client: "post" });
		},
	},
	{
		name: "oidcc-ensure-request-with-valid-pkce-succeeds",
		run: async (ctx, env) => {
			await codeFlow(ctx, env, { client: "basic", pkce: true });
		},
	},
];

/**
 * A refresh_token grant (oauth4webapi refreshTokenGrantRequest + processRefreshTokenResponse) and
 * the OIDC Core §12.2 rules for the refreshed ID token.
 */
export async function refresh(ctx, env, rp, first, refreshToken) {
	const res = await ctx.must("refresh request", () => oauth.refreshTokenGrantRequest(env.as, rp.client, rp.auth, refreshToken, env.http));
	if (res.status === 200) {
		const cc = res.headers.get("cache-control") ?? "";
		ctx.expect(/\bno-store\b/i.test(cc), "refresh response lacks Cache-Control: no-store");
	}
	const tokens = await ctx.must("refresh response (oauth4webapi processRefreshTokenResponse)", () => oauth.processRefreshTokenResponse(env.as, rp.client, res));
	ctx.expect(tokens.access_token !== first.tokens.access_token, "the refresh returned the same access token");
	if (tokens.refresh_token !== undefined) ctx.expect(/^[\x20-\x7e]+$/.test(tokens.refresh_token), "refresh_token has characters outside VSCHAR");
	const claims = oauth.getValidatedIdTokenClaims(tokens);
	if (claims) {
		await ctx.soft("refreshed ID token signature", () => oauth.validateApplicationLevelSignature(env.as, res, env.http));
		checkIdToken(ctx, env, rp, tokens.id_token, claims, { accessToken: tokens.access_token });
		const a = first.claims;
		ctx.expect(claims.iss === a.iss, "refreshed ID token iss differs (OIDC Core §12.2)");
		ctx.expect(claims.sub === a.sub, "refreshed ID token sub differs (OIDC Core §12.2)");
		ctx.expect(JSON.stringify(claims.aud) === JSON.stringify(a.aud), "refreshed ID token aud differs (OIDC Core §12.2)");
		if (a.auth_time !== undefined) ctx.expect(claims.auth_time === a.auth_time, `refreshed ID token auth_time ${claims.auth_time} is not the original authentication's ${a.auth_time} (OIDC Core §12.2)`);
		if (claims.azp !== undefined || a.azp !== undefined) ctx.expect(claims.azp === a.azp, "refreshed ID token azp differs (OIDC Core §12.2)");
		if (claims.nonce !== undefined) ctx.expect(claims.nonce === a.nonce, "refreshed ID token nonce differs from the original (OIDC Core §12.2)");
		ctx.expect(claims.iat >= a.iat, "refreshed ID token iat is earlier than the original");
	}
	ctx.log(`refreshed: new refresh token ${tokens.refresh_token ? "issued" : "not issued"}, id_token ${claims ? "issued" : "not issued"}`);
	return { tokens, claims, res };
}

export const formPostModules = [
	{
		name: "oidcc-server (response_mode=form_post)",
		run: async (ctx, env) => {
			if (!(env.as.response_modes_supported ?? []).includes("form_post")) ctx.skip("response_modes_supported does not list form_post");
			await codeFlow(ctx, env, { responseMode: "form_post" });
		},
	},
	{
		name: "oidcc-prompt-none-not-logged-in (response_mode=form_post)",
		run: async (ctx, env) => {
			if (!(env.as.response_modes_supported ?? []).includes("form_post")) ctx.skip("response_modes_supported does not list form_post");
			const { req, out } = await errorFlow(ctx, env, { browser: env.newBrowser(), responseMode: "form_post", extra: { prompt: "none" }, stateLength: 128, allowLogin: false });
			if (!callback(out)) ctx.stop(`prompt=none must answer by form_post, got ${describeOutcome(out)}`);
			expectAuthzError(ctx, env, req, out, UI_ERRORS);
		},
	},
	{
		name: "oidcc-ensure-request-without-nonce-succeeds-for-code-flow (response_mode=form_post)",
		run: async (ctx, env) => {
			if (!(env.as.response_modes_supported ?? []).includes("form_post")) ctx.skip("response_modes_supported does not list form_post");
			await codeFlow(ctx, env, { responseMode: "form_post", nonce: false });
		},
	},
];

export { UI_ERRORS };
