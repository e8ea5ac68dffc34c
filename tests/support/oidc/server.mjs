// A real OpenID Provider (panva/oidc-provider, certified) for the SSO tests, on loopback.
// Configuration comes as JSON in OIDC_CONFIG: {port, clients: [{client_id, client_secret,
// redirect_uris}], accounts: {login: {email, email_verified, name}}}. People sign in through the
// provider's own development login and consent forms (devInteractions), driven over HTTP by the
// tests; the login name is the account id and any password is accepted.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const config = JSON.parse(process.env.OIDC_CONFIG);
const issuer = `http://127.0.0.1:${config.port}`;

// A fresh signing key per run, with a kid, published at the JWKS endpoint.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwk = { ...privateKey.export({ format: 'jwk' }), kid: `test-${Date.now()}`, use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    ...c,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [jwk] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  conformIdTokenClaims: false, // put the scope's claims in the ID token, where the client reads them
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['ementor-test-cookie-key-0123456789'] },
  async findAccount(ctx, id) {
    const account = config.accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
});
provider.proxy = false;

provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
