//! The token endpoint (RFC 6749 §3.2, OIDC Core §3.1.3): authorization_code, refresh_token
//! (rotating), client_credentials. Every answer is JSON with `Cache-Control: no-store`.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::client_auth;
use super::dpop_check;
use super::error::{ErrorCode, OAuthError};
use super::grants::{Grants, Presenter, Redeemed, Subject, TokenRecord};
use super::id_token::{IdTokenClaims, at_hash, lanyard_claims};
use super::jwt;
use super::keys::Alg;
use super::pkce;
use super::{Ctx, Protocol};
use crate::accounts::Accounts;
use crate::accounts::access::AccessFacts;
use crate::domain::application::{ADMIN_SCOPE, AccessTokenFormat, Client};
use crate::http::OAuthParams;

#[derive(Serialize)]
pub struct TokenResponse {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    scope: String,
}

fn invalid(code: ErrorCode, description: &str) -> OAuthError {
    OAuthError::new(code, description)
}

pub async fn token(
    State(oidc): State<Protocol>,
    State(accounts): State<Accounts>,
    headers: HeaderMap,
    form: OAuthParams,
) -> Response {
    let res = match handle(Ctx { oidc: &oidc, accounts: &accounts }, &headers, &form).await {
        Ok(r) => Json(r).into_response(),
        Err(e) => e.into_response(),
    };
    dpop_check::with_nonce(&oidc, &headers, res)
}

async fn handle(state: Ctx<'_>, headers: &HeaderMap, fields: &OAuthParams) -> Result<TokenResponse, OAuthError> {
    let field = |k: &str| fields.get(k);
    // RFC 9449 §5: the proof first, so that a retry for a nonce finds the code (and the client's
    // assertion) unused. Tokens issued with a proof are bound to its key.
    let proof = dpop_check::presented(state.oidc, headers, "POST", "/token", None)?;
    let client = client_auth::authenticate(state.oidc, state.accounts, headers, fields).await?;
    // Spent only for a client that authenticated: nobody else writes to the replay cache.
    match &proof {
        Some(p) => dpop_check::spend(state.oidc, p).await?,
        // RFC 9449 §5.2: a client registered for bound tokens gets no other kind.
        None if client.metadata.requires_dpop() => {
            return Err(invalid(ErrorCode::InvalidDpopProof, "this client's tokens are DPoP-bound: send a DPoP proof"));
        }
        None => {}
    }
    let jkt = proof.map(|p| p.jkt);
    let grant_type = field("grant_type").ok_or_else(|| invalid(ErrorCode::InvalidRequest, "grant_type is required"))?;
    if !["authorization_code", "refresh_token", "client_credentials"].contains(&grant_type) {
        return Err(invalid(ErrorCode::UnsupportedGrantType, "unsupported grant_type"));
    }
    if !client.metadata.grant_types.iter().any(|g| g == grant_type) {
        return Err(invalid(ErrorCode::UnauthorizedClient, "this client may not use this grant_type"));
    }
    let jkt = jkt.as_deref();
    match grant_type {
        "authorization_code" => authorization_code(state, &client, fields, jkt).await,
        "refresh_token" => refresh(state, &client, fields, jkt).await,
        _ => client_credentials(state, &client, field("scope"), jkt).await,
    }
}

async fn authorization_code(
    state: Ctx<'_>,
    client: &Client,
    fields: &OAuthParams,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let field = |k| fields.get(k);
    let code = field("code").ok_or_else(|| invalid(ErrorCode::InvalidRequest, "code is required"))?;
    let redirect_uri =
        field("redirect_uri").ok_or_else(|| invalid(ErrorCode::InvalidRequest, "redirect_uri is required"))?;
    let by = Presenter { client_id: &client.client_id, jkt };
    let record = match state.oidc.grants.redeem_code(code, state.oidc.tokens.access_token, by).await? {
        Redeemed::Fresh(r) => r,
        // Neither used up nor revoked by one who only copied it.
        Redeemed::Withheld(r) if r.client_id != client.client_id => {
            return Err(invalid(ErrorCode::InvalidGrant, "the code was issued to another client"));
        }
        Redeemed::Withheld(_) => {
            return Err(invalid(
                ErrorCode::InvalidGrant,
                "the code is bound to a DPoP key this request does not prove",
            ));
        }
        Redeemed::Replayed => {
            return Err(invalid(
                ErrorCode::InvalidGrant,
                "the code was already used; tokens issued for it are revoked",
            ));
        }
        Redeemed::Unknown => return Err(invalid(ErrorCode::InvalidGrant, "the code is invalid or expired")),
    };
    // The code is consumed either way: a failed check must not leave it usable.
    if record.redirect_uri != redirect_uri {
        return Err(invalid(ErrorCode::InvalidGrant, "redirect_uri does not match the authorization request"));
    }
    match (&record.code_challenge, field("code_verifier")) {
        (Some(challenge), Some(verifier)) if pkce::verify(verifier, challenge) => {}
        (Some(_), _) => {
            return Err(invalid(ErrorCode::InvalidGrant, "code_verifier does not match the code_challenge"));
        }
        (None, Some(_)) => {
            return Err(invalid(ErrorCode::InvalidGrant, "code_verifier given but no code_challenge was"));
        }
        (None, None) => {}
    }
    // A reset, lock or new password since the sign-in voids the code too.
    if !state.oidc.grants.subject_live(&record.subject).await? {
        return Err(invalid(ErrorCode::InvalidGrant, "the sign-in behind this code has been revoked"));
    }
    let granted_at = state.oidc.clock.now();
    let grant = Grant { id: &record.grant_id, granted_at, jkt, new_refresh: true };
    issue(state, client, grant, record.subject, record.scope, record.nonce.as_deref(), None).await
}

/// The grant a token is issued under, and the DPoP key (if any) it is bound to.
struct Grant<'a> {
    id: &'a str,
    granted_at: i64,
    jkt: Option<&'a str>,
    /// Whether a refresh token is issued (none when the one presented stays, unrotated).
    new_refresh: bool,
}

async fn refresh(
    state: Ctx<'_>,
    client: &Client,
    fields: &OAuthParams,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let field = |k| fields.get(k);
    let token =
        field("refresh_token").ok_or_else(|| invalid(ErrorCode::InvalidRequest, "refresh_token is required"))?;
    let grants = &state.oidc.grants;
    let stored = grants.refresh_token_record(token).await?;
    // Another client's guess, or a copy of a public client's token without its DPoP key (RFC
    // 9449 §5), neither burns the token nor — replayed — revokes its family.
    let by = Presenter { client_id: &client.client_id, jkt };
    let rotates = client.metadata.rotates_refresh_tokens();
    let redeem = async {
        Ok::<_, OAuthError>(match &stored {
            Some((_, false)) => Redeemed::Unknown,
            // FAPI 2.0 §5.3.2.1: not rotated; the token stays as it is, with its own expiry.
            Some((r, true)) if !rotates && by.may_use(&r.client_id, r.jkt.as_deref()) => Redeemed::Fresh(r.clone()),
            Some((r, true)) if !rotates => Redeemed::Withheld(r.clone()),
            _ => grants.rotate_refresh_token(token, stored.as_ref().map(|(r, _)| r), by).await?,
        })
    };
    // What T4 decides on is read while the token is redeemed, not after: a refresh waits for one
    // round trip, not two. Only for a live token this client may use (nothing is read for a guess).
    let live_subject = match &stored {
        Some((r, true)) if by.may_use(&r.client_id, r.jkt.as_deref()) => r.subject.as_ref(),
        _ => None,
    };
    let facts = async {
        match live_subject {
            Some(s) => {
                state.accounts.access_facts(s.user_id, s.tenant_id, client).await.map(Some).map_err(OAuthError::from)
            }
            None => Ok(None),
        }
    };
    let (redeemed, facts) = tokio::try_join!(redeem, facts)?;
    let record = match redeemed {
        Redeemed::Fresh(r) => r,
        Redeemed::Withheld(r) if r.client_id != client.client_id => {
            return Err(invalid(ErrorCode::InvalidGrant, "the refresh token was issued to another client"));
        }
        Redeemed::Withheld(_) => {
            return Err(invalid(
                ErrorCode::InvalidGrant,
                "the refresh token is bound to a DPoP key this request does not prove",
            ));
        }
        Redeemed::Replayed => {
            return Err(invalid(ErrorCode::InvalidGrant, "the refresh token was already used; its grant is revoked"));
        }
        Redeemed::Unknown => {
            return Err(invalid(ErrorCode::InvalidGrant, "the refresh token is invalid, expired or revoked"));
        }
    };
    let granted_at = record.grant_began();
    let Some(subject) = record.subject else {
        return Err(invalid(ErrorCode::InvalidGrant, "the refresh token has no subject"));
    };
    // A narrower scope may be asked for (RFC 6749 §6), never a wider one.
    let scope = match field("scope") {
        None => record.scope,
        Some(s) => {
            let asked: Vec<String> = s.split(' ').filter(|x| !x.is_empty()).map(String::from).collect();
            if asked.iter().any(|a| !record.scope.contains(a)) {
                return Err(invalid(ErrorCode::InvalidScope, "the scope exceeds what was granted"));
            }
            asked
        }
    };
    let grant = Grant { id: &record.grant_id, granted_at, jkt, new_refresh: rotates };
    issue(state, client, grant, subject, scope, None, facts).await
}

async fn client_credentials(
    state: Ctx<'_>,
    client: &Client,
    scope: Option<&str>,
    jkt: Option<&str>,
) -> Result<TokenResponse, OAuthError> {
    let asked: Vec<String> =
        scope.unwrap_or_default().split(' ').filter(|s| !s.is_empty() && *s != "openid").map(String::from).collect();
    if asked.iter().any(|s| !client.metadata.scopes.contains(s)) {
        return Err(invalid(ErrorCode::InvalidScope, "a requested scope is not allowed for this client"));
    }
    let now = state.oidc.clock.now();
    let record = TokenRecord {
        grant_id: Grants::new_grant_id(),
        client_id: client.client_id.clone(),
        scope: asked.clone(),
        subject: None,
        issued_at: now,
        expires_at: now + access_lifetime(&state.oidc.tokens, &asked),
        granted_at: now,
        jkt: jkt.map(String::from),
    };
    let access_token = mint_access_token(state, client, &record).await?;
    Ok(TokenResponse {
        access_token,
        token_type: token_type(jkt),
        expires_in: access_lifetime(&state.oidc.tokens, &asked),
        id_token: None,
        refresh_token: None,
        scope: asked.join(" "),
    })
}

/// RFC 9449 §5.1: a bound token's type is DPoP.
fn token_type(jkt: Option<&str>) -> &'static str {
    if jkt.is_some() { "DPoP" } else { "Bearer" }
}

/// An access token's life: short when it carries an administrator's power.
fn access_lifetime(lifetimes: &crate::config::TokenLifetimes, scope: &[String]) -> i64 {
    if scope.iter().any(|s| s == ADMIN_SCOPE) {
        lifetimes.admin_access_token.min(lifetimes.access_token)
    } else {
        lifetimes.access_token
    }
}

async fn issue(
    state: Ctx<'_>,
    client: &Client,
    grant: Grant<'_>,
    subject: Subject,
    scope: Vec<String>,
    nonce: Option<&str>,
    // T4's facts when the caller read them already (a refresh, beside its redemption); the
    // inner `None`: read, and the person or provider is gone.
    known: Option<Option<AccessFacts>>,
) -> Result<TokenResponse, OAuthError> {
    let (grant_id, granted_at) = (grant.id, grant.granted_at);
    let now = state.oidc.clock.now();
    let lifetimes = state.oidc.tokens;
    let facts = match known {
        Some(facts) => facts,
        None => state.accounts.access_facts(subject.user_id, subject.tenant_id, client).await?,
    };
    let Some(facts) = facts else {
        state.oidc.grants.revoke_grant(grant_id).await?;
        return Err(invalid(ErrorCode::InvalidGrant, "the user no longer exists"));
    };
    // T4 at every issue (code or refresh): a lock or deactivation since stops it here, and the
    // grant goes with it.
    if facts.check(client).is_err() {
        state.oidc.grants.revoke_grant(grant_id).await?;
        return Err(invalid(ErrorCode::InvalidGrant, "the user may no longer use this application"));
    }
    let AccessFacts { user, tenant, .. } = facts;
    // A person's administrative power goes only to the console and to applications a platform
    // operator marked for it: never in another application's access or refresh token (nor in a
    // refresh of a grant made before the mark was taken away).
    let scope: Vec<String> =
        if client.carries_admin_power() { scope } else { scope.into_iter().filter(|s| s != ADMIN_SCOPE).collect() };
    let access_lifetime = access_lifetime(&lifetimes, &scope);
    let access = TokenRecord {
        grant_id: grant_id.to_string(),
        client_id: client.client_id.clone(),
        scope: scope.clone(),
        subject: Some(subject.clone()),
        issued_at: now,
        expires_at: now + access_lifetime,
        granted_at,
        jkt: grant.jkt.map(String::from),
    };
    // Each rotation gets the sliding lifetime, but never beyond the grant's absolute one: a
    // token used monthly does not live for ever (RFC 9700 §4.14.2).
    let absolute = granted_at + lifetimes.refresh_token_absolute;
    // One that is never replaced (FAPI 2.0) gets the grant's whole absolute life at once.
    let refresh_expires =
        if client.metadata.rotates_refresh_tokens() { (now + lifetimes.refresh_token).min(absolute) } else { absolute };
    let wants_refresh = grant.new_refresh && client.metadata.grant_types.iter().any(|g| g == "refresh_token");
    // RFC 9449 §5: a public client's refresh token is bound to its key too (a confidential
    // client's is bound to the client by its authentication).
    let refresh = (wants_refresh && refresh_expires > now).then(|| TokenRecord {
        expires_at: refresh_expires,
        jkt: if client.is_public() { access.jkt.clone() } else { None },
        ..access.clone()
    });
    // Both records in one round trip (on SQLite, one commit).
    let (access_token, refresh_token) = tokio::try_join!(mint_access_token(state, client, &access), async {
        match &refresh {
            Some(r) => state.oidc.grants.issue_refresh_token(r).await.map(Some).map_err(OAuthError::from),
            None => Ok(None),
        }
    })?;
    let alg = Alg::parse(&client.metadata.id_token_signed_response_alg).unwrap_or(Alg::RS256);
    let key =
        state.oidc.ring.signer(alg).ok_or_else(|| OAuthError::server(format!("no active {} key", alg.as_str())))?;
    let claims = IdTokenClaims {
        iss: &state.oidc.issuer,
        sub: &subject.sub,
        aud: &client.client_id,
        azp: &client.client_id,
        exp: now + lifetimes.id_token,
        iat: now,
        auth_time: subject.auth_time,
        nonce,
        at_hash: at_hash(alg, &access_token),
        sid: &subject.sid,
        amr: &subject.amr,
        acr: subject.acr.as_deref(),
        initiated_from: subject
            .initiated_from
            .as_ref()
            .map(|(id, name)| serde_json::json!({ "client_id": id, "name": name })),
        user: lanyard_claims(&user, &tenant),
    };
    let id_token = jwt::sign(&key, jwt::ID_TOKEN_TYP, &claims).map_err(OAuthError::server)?;
    Ok(TokenResponse {
        access_token,
        token_type: token_type(grant.jkt),
        expires_in: access_lifetime,
        id_token: Some(id_token),
        refresh_token,
        scope: scope.join(" "),
    })
}

#[derive(Serialize)]
struct JwtAccessTokenClaims<'a> {
    iss: &'a str,
    sub: &'a str,
    aud: &'a str,
    client_id: &'a str,
    exp: i64,
    iat: i64,
    jti: String,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_time: Option<i64>,
    /// RFC 9449 §6.1: the key a bound token goes with.
    #[serde(skip_serializing_if = "Option::is_none")]
    cnf: Option<serde_json::Value>,
}

/// Opaque by default; RFC 9068 JWT when the client asked for it. Either way the record is kept,
/// so revocation and introspection work the same.
async fn mint_access_token(state: Ctx<'_>, client: &Client, record: &TokenRecord) -> Result<String, OAuthError> {
    if client.metadata.access_token_format == AccessTokenFormat::Opaque {
        return Ok(state.oidc.grants.issue_access_token(record).await?);
    }
    let alg = Alg::parse(&client.metadata.id_token_signed_response_alg).unwrap_or(Alg::RS256);
    let key =
        state.oidc.ring.signer(alg).ok_or_else(|| OAuthError::server(format!("no active {} key", alg.as_str())))?;
    let claims = JwtAccessTokenClaims {
        iss: &state.oidc.issuer,
        // RFC 9068 §2.2: `sub` is the client itself when no user is involved.
        sub: record.subject.as_ref().map_or(client.client_id.as_str(), |s| s.sub.as_str()),
        aud: &client.client_id,
        client_id: &client.client_id,
        exp: record.expires_at,
        iat: record.issued_at,
        jti: crate::secret::random_token(),
        scope: record.scope.join(" "),
        auth_time: record.subject.as_ref().map(|s| s.auth_time),
        cnf: record.jkt.as_ref().map(|jkt| serde_json::json!({ "jkt": jkt })),
    };
    let token = jwt::sign(&key, "at+jwt", &claims).map_err(OAuthError::server)?;
    state.oidc.grants.keep_access_token(&token, record).await?;
    Ok(token)
}
