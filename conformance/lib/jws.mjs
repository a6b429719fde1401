// Verifying a compact JWS against the OP's JWKS, for tokens oauth4webapi has no API for
// (back-channel logout tokens). node:crypto does the cryptography.

import { createPublicKey, verify } from "node:crypto";

import { decodeJwt, fromB64u } from "./op.mjs";

const DIGEST = { RS256: "sha256", RS384: "sha384", RS512: "sha512", ES256: "sha256", ES384: "sha384", ES512: "sha512", EdDSA: null, Ed25519: null };

/**
 * Checks the signature of `jwt` with the JWKS key its `kid` names (or the only key of the right
 * type). Throws with a reason on any problem; returns { header, payload } when it verifies.
 */
export function verifyJws(jwks, jwt) {
	const parts = jwt.split(".");
	if (parts.length !== 3) throw new Error("not a compact JWS (three parts)");
	const { header, payload } = decodeJwt(jwt);
	if (header.alg === "none" || !(header.alg in DIGEST)) throw new Error(`unacceptable alg ${header.alg}`);
	const candidates = (jwks.keys ?? []).filter((k) => (header.kid ? k.kid === header.kid : true) && (!k.alg || k.alg === header.alg));
	if (candidates.length !== 1) throw new Error(header.kid ? `kid ${header.kid} is not a ${header.alg} key of the JWKS` : "no kid and not exactly one matching JWKS key");
	const { kty, n, e, crv, x, y } = candidates[0];
	const key = createPublicKey({ key: { kty, n, e, crv, x, y }, format: "jwk" });
	const options = header.alg.startsWith("ES") ? { key, dsaEncoding: "ieee-p1363" } : key;
	const ok = verify(DIGEST[header.alg], Buffer.from(`${parts[0]}.${parts[1]}`, "ascii"), options, fromB64u(parts[2]));
	if (!ok) throw new Error("signature does not verify");
	return { header, payload };
}
