// "Config OP": the discovery document and the JWKS (OIDCCDiscoveryEndpointVerification and the
// issuer checks), plus the logout-plan discovery modules.

import { codeFlow } from "../lib/op.mjs";

const OIDC_RESPONSE_TYPES = ["code", "code id_token", "id_token", "token id_token", "id_token token", "code id_token token", "code token"];

/** CheckDiscEndpointAllEndpointsAreHttps, with http tolerated for a loopback OP under test. */
function checkEndpointsHttps(ctx, env, keys) {
	for (const k of keys) {
		const v = env.as[k];
		if (typeof v !== "string") continue;
		let u;
		try {
			u = new URL(v);
		} catch {
			ctx.fail(`${k} is not a URL: ${v}`);
			continue;
		}
		if (u.protocol === "https:") continue;
		if (u.protocol === "http:" && env.loopbackHttp && u.origin === env.origin) continue;
		ctx.fail(`${k} is not https: ${v}`);
	}
	if (env.loopbackHttp) ctx.note("http tolerated: the OP under test is on loopback (production requires https)");
}

const endpointKeys = (m) => Object.keys(m).filter((k) => k.endsWith("_endpoint") || k === "jwks_uri");

export const configModules = [
	{
		name: "oidcc-discovery-endpoint-verification",
		run: async (ctx, env) => {
			const m = env.as;
			// EnsureDiscoveryEndpointResponseStatusCodeIs200, CheckDiscoveryEndpointReturnedJsonContentType
			ctx.expect(env.discoveryResponse.status === 200, `discovery answered HTTP ${env.discoveryResponse.status}`);
			ctx.expect(/^application\/json\b/i.test(env.discoveryResponse.contentType ?? ""), `discovery Content-Type is ${env.discoveryResponse.contentType}`);
			// OIDCCCheckDiscEndpointResponseTypesSupported
			const rts = m.response_types_supported;
			ctx.expect(Array.isArray(rts) && rts.some((t) => OIDC_RESPONSE_TYPES.includes(t)), "response_types_supported lists no OpenID Connect response type");
			// CheckDiscEndpointIssuer, CheckDiscEndpointIssuerIsValidUrl
			ctx.expect(m.issuer === env.issuer, `issuer ${m.issuer} is not exactly ${env.issuer} (OIDC Discovery §4.3)`);
			const iss = new URL(m.issuer);
			ctx.expect(!iss.search && !iss.hash, "issuer must not have a query or fragment (RFC 8414 §2)");
			// CheckDiscEndpointSubjectTypesSupported
			const st = m.subject_types_supported;
			ctx.expect(Array.isArray(st) && st.length > 0 && st.every((s) => s === "public" || s === "pairwise"), `subject_types_supported invalid: ${JSON.stringify(st)}`);
			// OIDCCCheckDiscEndpointIdTokenSigningAlgValuesSupported
			const algs = m.id_token_signing_alg_values_supported;
			ctx.expect(Array.isArray(algs) && algs.includes("RS256"), "id_token_signing_alg_values_supported must include RS256 (OIDC Discovery §3)");
			if (m.userinfo_signing_alg_values_supported !== undefined) ctx.expect(Array.isArray(m.userinfo_signing_alg_values_supported), "userinfo_signing_alg_values_supported must be an array");
			// CheckDiscEndpointAuthorizationEndpoint, CheckDiscEndpointTokenEndpoint, CheckDiscEndpointUserinfoEndpoint
			ctx.expect(typeof m.authorization_endpoint === "string", "authorization_endpoint missing");
			ctx.expect(typeof m.token_endpoint === "string", "token_endpoint missing");
			ctx.expect(typeof m.userinfo_endpoint === "string", "userinfo_endpoint missing (recommended)", "WARNING");
			// CheckJwksUri, FetchServerKeys, ValidateServerJWKs, EnsureServerJwksDoesNotContainPrivateOrSymmetricKeys, CheckForKeyIdInServerJWKs
			ctx.expect(typeof m.jwks_uri === "string", "jwks_uri missing", "STOP");
			ctx.expect(env.jwksResponse.status === 200, `jwks_uri answered HTTP ${env.jwksResponse.status}`);
			const keys = env.jwks?.keys;
			ctx.expect(Array.isArray(keys) && keys.length > 0, "JWKS has no keys", "STOP");
			const kids = new Set();
			for (const k of keys) {
				ctx.expect(typeof k.kty === "string", `JWKS key without kty: ${JSON.stringify(k)}`);
				ctx.expect(typeof k.kid === "string" && k.kid.length > 0, `JWKS key without kid (OIDC Core §10.1): ${k.kty}`);
				ctx.expect(!kids.has(k.kid), `JWKS has two keys with kid ${k.kid}`);
				kids.add(k.kid);
				for (const priv of ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]) ctx.expect(!(priv in k), `JWKS key ${k.kid} publishes private/symmetric member ${priv}`);
				if (k.kty === "RSA") ctx.expect(Buffer.from(k.n ?? "", "base64url").length >= 256, `RSA key ${k.kid} is shorter than 2048 bits`);
				if (k.use !== undefined) ctx.expect(k.use === "sig" || k.use === "enc", `JWKS key ${k.kid} has use=${k.use}`);
			}
			for (const a of algs ?? []) {
				if (a === "none") continue;
				ctx.expect(keys.some((k) => !k.alg || k.alg === a), `no JWKS key for advertised ID token alg ${a}`);
			}
			// CheckDiscEndpointRequestParameterSupported etc. (INFO)
			ctx.note(`request_parameter_supported=${m.request_parameter_supported}, request_uri_parameter_supported=${m.request_uri_parameter_supported}, claims_parameter_supported=${m.claims_parameter_supported}`);
			// OIDCCCheckDiscEndpointClaimsSupported (WARNING)
			ctx.expect(Array.isArray(m.claims_supported) && m.claims_supported.length > 0, "claims_supported missing (recommended)", "WARNING");
			// OIDCCCheckDiscEndpointGrantTypesSupported
			if (m.grant_types_supported !== undefined) ctx.expect(Array.isArray(m.grant_types_supported) && m.grant_types_supported.length > 0, "grant_types_supported must be a non-empty array");
			// CheckDiscEndpointScopesSupportedContainsOpenId, CheckDiscEndpointScopesSupportedSyntax
			if (m.scopes_supported === undefined) ctx.warn("scopes_supported missing (recommended)");
			else {
				ctx.expect(Array.isArray(m.scopes_supported) && m.scopes_supported.includes("openid"), "scopes_supported must contain openid");
				for (const s of m.scopes_supported ?? []) ctx.expect(/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s), `scope ${JSON.stringify(s)} is not a valid scope-token (RFC 6749 §3.3)`);
			}
			// CheckDiscEndpointLocalesSyntax, CheckDiscEndpointLocalesCanonicalCasing (WARNING)
			for (const key of ["ui_locales_supported", "claims_locales_supported"]) {
				const v = m[key];
				if (v === undefined) continue;
				if (!ctx.expect(Array.isArray(v), `${key} must be an array`)) continue;
				for (const tag of v) {
					ctx.expect(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/.test(tag), `${key}: ${tag} is not a BCP 47 language tag`);
					let canonical;
					try {
						canonical = Intl.getCanonicalLocales(tag)[0];
					} catch {
						canonical = tag;
					}
					ctx.expect(canonical === tag, `${key}: ${tag} is not in canonical casing (${canonical})`, "WARNING");
				}
			}
			checkEndpointsHttps(ctx, env, endpointKeys(m));
			// EnsureServerConfigurationCodeChallengeMethodsSupportedIsAnArray
			if (m.code_challenge_methods_supported !== undefined) ctx.expect(Array.isArray(m.code_challenge_methods_supported), "code_challenge_methods_supported must be an array");
		},
	},
	{
		name: "oidcc-discovery-issuer-not-matching-config",
		run: async (ctx, env) => {
			// The issuer everywhere must be exactly the configured one (OIDC Discovery §4.3, OIDC Core
			// §3.1.3.7 item 2, RFC 9207 §2.4): in discovery, the ID token and the authorization response.
			ctx.expect(env.as.issuer === env.issuer, `discovery issuer ${JSON.stringify(env.as.issuer)} does not match the configured ${JSON.stringify(env.issuer)}`, "STOP");
			ctx.expect(env.discoveryUrl === `${env.as.issuer}/.well-known/openid-configuration`, "discovery URL is not issuer + /.well-known/openid-configuration");
			const r = await codeFlow(ctx, env, { userinfo: false });
			ctx.expect(r.validated.get("iss") === env.issuer, `authorization response iss ${r.validated.get("iss")} is not the configured issuer`);
			ctx.expect(r.claims.iss === env.issuer, `ID token iss ${r.claims.iss} is not the configured issuer`);
			ctx.expect(env.as.authorization_response_iss_parameter_supported === true, "authorization_response_iss_parameter_supported is not true although iss is sent (RFC 9207 §3)", "WARNING");
		},
	},
	{
		name: "oidcc-rp-initiated-logout-discovery-endpoint-verification",
		run: async (ctx, env) => {
			// CheckDiscEndpointAllEndpointsAreHttps, CheckDiscEndSessionEndpoint
			ctx.expect(typeof env.as.end_session_endpoint === "string", "end_session_endpoint missing (RP-Initiated Logout §2.1)", "STOP");
			checkEndpointsHttps(ctx, env, endpointKeys(env.as));
		},
	},
	{
		name: "oidcc-backchannel-logout-discovery-endpoint-verification",
		run: async (ctx, env) => {
			if (env.as.backchannel_logout_supported !== true) ctx.skip("Back-Channel Logout is not implemented (discovery: backchannel_logout_supported is not true)");
			ctx.expect(env.as.backchannel_logout_session_supported === true, "backchannel_logout_session_supported must be true for certification (OIDC Back-Channel Logout §2.1)");
			ctx.expect(typeof env.as.end_session_endpoint === "string", "end_session_endpoint missing");
			checkEndpointsHttps(ctx, env, endpointKeys(env.as));
		},
	},
	{
		name: "oidcc-frontchannel-logout-discovery-endpoint-verification",
		run: async (ctx, env) => {
			if (env.as.frontchannel_logout_supported !== true) ctx.skip("Front-Channel Logout is not implemented (discovery: frontchannel_logout_supported is not true)");
			ctx.expect(typeof env.as.end_session_endpoint === "string", "end_session_endpoint missing");
		},
	},
	{
		name: "oidcc-frontchannel-rp-initiated-logout",
		run: async (ctx, env) => {
			if (env.as.frontchannel_logout_supported !== true) ctx.skip("Front-Channel Logout is not implemented (discovery: frontchannel_logout_supported is not true)");
			ctx.skip("the OP advertises Front-Channel Logout, which this runner does not cover yet");
		},
	},
];
