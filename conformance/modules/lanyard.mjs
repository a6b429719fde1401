// Checks of behaviour Lanyard promises beyond the OIDF modules (OAuth 2.0 Security BCP, RFC 7636,
// RFC 7009, RFC 7662), written in the same style. Their names start with "lanyard-" except the
// PKCE one, whose name the project asked for.

import * as oauth from "oauth4webapi";

import {
	authorize,
	authRequest,
	callback,
	codeFlow,
	describeOutcome,
	errorFlow,
	expectAuthzError,
	expectCode,
	expectTokenError,
	rawTokenRequest,
	userinfo,
} from "../lib/op.mjs";
import { refresh } from "./basic.mjs";

async function expectTokenRejected(ctx, env, accessToken, why, level = "FAILURE") {
	const res = await fetch(env.as.userinfo_endpoint, { headers: { authorization: `Bearer ${accessToken}` } });
	ctx.expect(res.status === 401, `${why}: UserInfo still accepts the access token (HTTP ${res.status})`, level);
	if (res.status === 401) ctx.expect(/^Bearer\b/i.test(res.headers.get("www-authenticate") ?? ""), "401 from UserInfo without a Bearer WWW-Authenticate challenge (RFC 6750 §3)");
}

async function introspect(ctx, env, rp, token, hint) {
	const res = await ctx.must("introspection request", () =>
		oauth.introspectionRequest(env.as, rp.client, rp.auth, token, { ...env.http, additionalParameters: hint ? { token_type_hint: hint } : undefined }),
	);
	return ctx.must("introspection response (oauth4webapi processIntrospectionResponse)", () => oauth.processIntrospectionResponse(env.as, rp.client, res));
}

export const lanyardModules = [
	{
		name: "oidcc-ensure-pkce-required-for-public-clients",
		run: async (ctx, env) => {
			const methods = env.as.code_challenge_methods_supported ?? [];
			ctx.expect(methods.includes("S256"), "code_challenge_methods_supported does not list S256");
			ctx.expect(!methods.includes("plain"), "code_challenge_methods_supported lists plain", "WARNING");
			const rp = env.rp("public");
			const browser = env.shared;

			// No code_challenge at all: refused (OAuth 2.0 Security BCP §2.1.1, RFC 9700).
			const a = await errorFlow(ctx, env, { rp, browser, pkce: false });
			if (!callback(a.out)) ctx.stop(`public client without PKCE: expected an error redirect, got ${describeOutcome(a.out)}`);
			expectAuthzError(ctx, env, a.req, a.out, ["invalid_request"]);

			// code_challenge_method=plain: refused, only S256 is offered.
			const verifier = oauth.generateRandomCodeVerifier();
			const b = await errorFlow(ctx, env, { rp, browser, pkce: false, extra: { code_challenge: verifier, code_challenge_method: "plain" } });
			if (!callback(b.out)) ctx.stop(`code_challenge_method=plain: expected an error redirect, got ${describeOutcome(b.out)}`);
			expectAuthzError(ctx, env, b.req, b.out, ["invalid_request"]);

			// S256: the whole flow works with token_endpoint_auth_method=none.
			await codeFlow(ctx, env, { rp, browser });

			// A wrong code_verifier, then none: invalid_grant (RFC 7636 §4.6).
			for (const [label, verifierFor] of [
				["a wrong code_verifier", () => oauth.generateRandomCodeVerifier()],
				["no code_verifier", () => undefined],
			]) {
				const req = await authRequest(env, rp);
				const out = await ctx.must("authorization request", () => authorize(env, browser, req.params));
				const validated = expectCode(ctx, env, req, out);
				const params = { code: validated.get("code"), redirect_uri: req.redirectUri };
				const v = verifierFor();
				if (v) params.code_verifier = v;
				const r = await rawTokenRequest(env, rp, "authorization_code", params);
				expectTokenError(ctx, r, label === "no code_verifier" ? ["invalid_grant", "invalid_request"] : ["invalid_grant"], `token request with ${label}`);
			}
		},
	},
	{
		name: "lanyard-code-reuse-revokes-tokens",
		run: async (ctx, env) => {
			const r = await codeFlow(ctx, env, { userinfo: false });
			ctx.expect(r.tokens.refresh_token, "no refresh token issued", "STOP");
			const again = await rawTokenRequest(env, r.rp, "authorization_code", { code: r.validated.get("code"), redirect_uri: r.req.redirectUri });
			expectTokenError(ctx, again, ["invalid_grant"], "second use of the code");
			// RFC 6749 §4.1.2, OAuth 2.0 Security BCP §4.5: tokens issued for the code are revoked.
			await expectTokenRejected(ctx, env, r.accessToken, "after the code was replayed");
			const rt = await rawTokenRequest(env, r.rp, "refresh_token", { refresh_token: r.tokens.refresh_token });
			expectTokenError(ctx, rt, ["invalid_grant"], "refresh token issued for a replayed code");
		},
	},
	{
		name: "lanyard-refresh-token-rotation",
		run: async (ctx, env) => {
			const rp = env.rp("basic");
			const first = await codeFlow(ctx, env, { rp, userinfo: false });
			const rt1 = first.tokens.refresh_token;
			ctx.expect(rt1, "no refresh token issued", "STOP");
			const second = await refresh(ctx, env, rp, first, rt1);
			const rt2 = second.tokens.refresh_token;
			ctx.expect(rt2 && rt2 !== rt1, "the refresh token was not rotated", "STOP");
			// Another client presenting it is refused and must not burn it.
			const cross = await rawTokenRequest(env, env.rp("basic2"), "refresh_token", { refresh_token: rt2 });
			expectTokenError(ctx, cross, ["invalid_grant"], "refresh token presented by another client");
			const third = await refresh(ctx, env, rp, first, rt2);
			const rt3 = third.tokens.refresh_token;
			ctx.expect(rt3, "no refresh token after the second rotation", "STOP");
			// Replaying a rotated refresh token revokes the whole family (Security BCP §4.14.2).
			const replay = await rawTokenRequest(env, rp, "refresh_token", { refresh_token: rt1 });
			expectTokenError(ctx, replay, ["invalid_grant"], "replayed refresh token");
			const after = await rawTokenRequest(env, rp, "refresh_token", { refresh_token: rt3 });
			expectTokenError(ctx, after, ["invalid_grant"], "newest refresh token after a replay");
			await expectTokenRejected(ctx, env, third.tokens.access_token, "after a refresh token replay");
		},
	},
	{
		name: "lanyard-introspection-revocation",
		run: async (ctx, env) => {
			if (!env.as.introspection_endpoint || !env.as.revocation_endpoint) ctx.skip("no introspection_endpoint or revocation_endpoint in discovery");
			const rp = env.rp("basic");
			const r = await codeFlow(ctx, env, { rp, userinfo: false });
			const active = await introspect(ctx, env, rp, r.accessToken);
			ctx.expect(active.active === true, "a fresh access token introspects as inactive");
			ctx.expect(active.client_id === rp.client.client_id, `introspection client_id ${active.client_id}`);
			ctx.expect(active.sub === r.claims.sub, "introspection sub differs from the ID token's");
			ctx.expect(typeof active.scope === "string" && active.scope.split(" ").includes("openid"), `introspection scope ${active.scope}`);
			if (active.exp !== undefined) ctx.expect(Number.isInteger(active.exp) && active.exp > Date.now() / 1000, "introspection exp is not a future NumericDate");
			// Another client may not learn about this client's tokens.
			const foreign = await introspect(ctx, env, env.rp("basic2"), r.accessToken);
			ctx.expect(foreign.active === false, "another client's introspection reports the token active");
			// RFC 7009: revoking the refresh token ends the grant; unknown tokens are answered 200.
			const res = await oauth.revocationRequest(env.as, rp.client, rp.auth, r.tokens.refresh_token, env.http);
			await ctx.soft("revocation response (oauth4webapi processRevocationResponse)", () => oauth.processRevocationResponse(res));
			const afterRt = await rawTokenRequest(env, rp, "refresh_token", { refresh_token: r.tokens.refresh_token });
			expectTokenError(ctx, afterRt, ["invalid_grant"], "revoked refresh token");
			const afterAt = await introspect(ctx, env, rp, r.accessToken);
			ctx.expect(afterAt.active === false, "the access token of a revoked grant is still active (RFC 7009 §2.1 SHOULD)", "WARNING");
			const unknown = await oauth.revocationRequest(env.as, rp.client, rp.auth, "not-a-token-the-op-issued", env.http);
			ctx.expect(unknown.status === 200, `revoking an unknown token answered HTTP ${unknown.status} (RFC 7009 §2.2: 200)`);
		},
	},
	{
		name: "lanyard-form-post-escaping",
		run: async (ctx, env) => {
			if (!(env.as.response_modes_supported ?? []).includes("form_post")) ctx.skip("response_modes_supported does not list form_post");
			// Every VSCHAR an HTML template must escape, in the state the OP echoes into its page.
			const state = `s"<script>x</script>'&amp;/=+ %2F?#${"z".repeat(8)}`;
			const r = await codeFlow(ctx, env, { responseMode: "form_post", state, userinfo: false });
			ctx.expect(!r.out.res.body.includes("<script>x</script>"), "the form_post page contains the state unescaped");
			ctx.expect(r.validated.get("state") === state, "state did not survive the form_post page unchanged");
			const ct = r.out.res.headers.get("content-type") ?? "";
			ctx.expect(/^text\/html\b/i.test(ct), `form_post page Content-Type is ${ct}`);
		},
	},
	{
		name: "lanyard-jwt-access-token",
		run: async (ctx, env) => {
			if (!env.setup.clients.jwt) ctx.skip("the setup file has no client with JWT access tokens (this Lanyard's CLI has no --jwt-access-tokens)");
			const rp = env.rp("jwt");
			const r = await codeFlow(ctx, env, { rp, userinfo: false });
			ctx.expect(r.accessToken.split(".").length === 3, "the access token is not a JWT although the client asked for RFC 9068 tokens", "STOP");
			// RFC 9068 §4 as a resource server would check it: typ at+jwt, signature, iss, aud, exp, required claims.
			const request = new Request(env.as.userinfo_endpoint, { headers: { authorization: `Bearer ${r.accessToken}` } });
			const claims = await ctx.must("RFC 9068 access token (oauth4webapi validateJwtAccessToken)", () =>
				oauth.validateJwtAccessToken(env.as, request, rp.client.client_id, env.http),
			);
			ctx.expect(claims.sub === r.claims.sub, "access token sub differs from the ID token's (RFC 9068 §2.2)");
			ctx.expect(claims.client_id === rp.client.client_id, "access token client_id is not the client (RFC 9068 §2.2)");
			ctx.expect(typeof claims.scope === "string" && claims.scope.split(" ").includes("openid"), `access token scope ${claims.scope} (RFC 9068 §2.2.3)`);
			if (claims.auth_time !== undefined) ctx.expect(claims.auth_time === r.claims.auth_time, "access token auth_time differs from the ID token's");
			if (r.tokens.expires_in !== undefined) ctx.expect(Math.abs(claims.exp - claims.iat - r.tokens.expires_in) <= 5, `access token lifetime ${claims.exp - claims.iat} s, expires_in says ${r.tokens.expires_in}`);
			await userinfo(ctx, env, rp, r.accessToken, r.claims.sub, "get");
			const active = await introspect(ctx, env, rp, r.accessToken);
			ctx.expect(active.active === true, "the JWT access token introspects as inactive");
		},
	},
];
