// node-oidc-provider (panva) configured as close to Lanyard's benchmark set-up as its API allows,
// for benches/compare_node_oidc_provider.sh. Not a deployment: the interaction route signs the
// fixed account in without a password (the benchmark measures the protocol endpoints, not the
// sign-in page), and every secret is made up at start.
//
// Environment: PORT (default 18098), BENCH_CLIENT_SECRET (required).
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT ?? 18098);
const clientSecret = process.env.BENCH_CLIENT_SECRET;
if (!clientSecret) {
  console.error('server.mjs: BENCH_CLIENT_SECRET is not set');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// One ES256 signing key made at start, like the ES256 key the Lanyard bench client signs with.
const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'ES256', use: 'sig' };

// The one account; findAccount answers from memory.
const ACCOUNT_ID = 'alice';
const account = {
  accountId: ACCOUNT_ID,
  async claims() {
    return { sub: ACCOUNT_ID, preferred_username: 'alice', name: 'Alice Bench' };
  },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'bench',
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    redirect_uris: ['http://127.0.0.1:9/cb'],
    id_token_signed_response_alg: 'ES256',
    scope: 'openid profile offline_access',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  scopes: ['openid', 'profile', 'offline_access'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // Rotate every refresh token, as Lanyard does (the default rotates only some).
  rotateRefreshToken: true,
  findAccount: async (ctx, id) => (id === ACCOUNT_ID ? account : undefined),
  // adapter: left unset, i.e. the built-in in-memory adapter.
});

// Minimal interactions: sign the fixed account in, then grant what the client asked for.
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: ACCOUNT_ID } }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.statusCode = 400;
  res.end(`unexpected prompt ${prompt.name}`);
}

const providerCallback = provider.callback();
const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      console.error('interaction failed:', err);
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
    return;
  }
  providerCallback(req, res);
});
server.listen(port, '127.0.0.1', () => {
  console.log(`node-oidc-provider listening on ${issuer} (NODE_ENV=${process.env.NODE_ENV ?? ''})`);
});
const stop = () => process.exit(0);
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
