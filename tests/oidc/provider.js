// A real OpenID Connect provider for the SSO tests (issue 22): the npm package
// `oidc-provider` with its development log-in pages (any login name, no password).
// The login name is the person's email; "unverified:" before it makes the provider say
// the email is not verified.
//   PORT=9000 REDIRECT_URI=http://127.0.0.1:8000/sso/callback/ node tests/oidc/provider.js
// Client "careermap" (secret "test-secret"); client "careermap-short" has codes that
// expire after a second. Prints "ready <issuer>" once listening.
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.REDIRECT_URI || "").split(",").filter(Boolean);
const postLogout = (process.env.POST_LOGOUT_URI || "").split(",").filter(Boolean);

const client = (id) => ({
  client_id: id,
  client_secret: "test-secret",
  redirect_uris: redirectUris,
  post_logout_redirect_uris: postLogout,
  response_types: ["code"],
  grant_types: ["authorization_code"],
  token_endpoint_auth_method: "client_secret_post",
});

const provider = new Provider(issuer, {
  clients: [client("careermap"), client("careermap-short")],
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  async findAccount(ctx, id) {
    const unverified = id.startsWith("unverified:");
    const email = unverified ? id.slice("unverified:".length) : id;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email, email_verified: !unverified, name: email.split("@")[0] };
      },
    };
  },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  pkce: { required: () => true },
  ttl: {
    AuthorizationCode: (ctx, token, c) => (c && c.clientId === "careermap-short" ? 1 : 60),
  },
  cookies: { keys: ["careermap-test-cookies"] },
});
provider.proxy = false;

provider.listen(port, "127.0.0.1", () => {
  console.log(`ready ${issuer}`);
});
