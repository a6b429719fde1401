//! What the OpenAPI document promises beyond the handlers' own declarations (issue 32): the
//! shape of every path parameter, from the same constants the handlers check, and links from
//! each operation that creates a thing to the operations that use its id — so a client
//! generated from the document sends what the server accepts, and a stateful tester follows
//! real ids instead of guessing them.

use serde_json::{Value, json};

use crate::domain::listing::{MAX_CURSOR, MAX_LIMIT};
use crate::domain::tenant::ProviderCode;
use crate::domain::user::{LoginName, UserStatus, UserType};

/// A client id as `accounts::admin::create_client` accepts it: 1-128 of RFC 3986's unreserved
/// characters.
pub const CLIENT_ID_PATTERN: &str = "^[A-Za-z0-9._~-]{1,128}$";

/// One line of text with something in it: no control characters, not only white space.
pub const LINE_PATTERN: &str = r"^[^\x00-\x1f\x7f-\x9f]*[^\s\x00-\x1f\x7f-\x9f][^\x00-\x1f\x7f-\x9f]*$";
/// What `accounts::enrolment::valid_email` accepts, in its printable-ASCII form: a local part,
/// `@`, a domain with a dot inside it; no white space, `<`, `>`, `,` or `;`.
pub const EMAIL_PATTERN: &str = r"^[!-+\--:=?A-~]+@[!-+\-/-:=?A-~][!-+\--:=?A-~]*\.[!-+\--:=?A-~]*[!-+\-/-:=?A-~]$";
/// A new login name in its printable-ASCII form (`LoginName::parse_new` also accepts the letters
/// of one other alphabet): no leading or trailing space.
pub const LOGIN_NAME_PATTERN: &str = "^[!-~]([ -~]{0,126}[!-~])?$";

/// An http(s) URL with a host, in printable ASCII (what `valid_link` of the maintenance notice
/// accepts, and a little less).
pub const LINK_PATTERN: &str = r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:[0-9]{1,4})?(/[!-~]*)?$";
/// The sign-in help page's contact line: no control, zero-width or direction characters.
pub const CONTACT_PATTERN: &str =
    r"^[^\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]*$";

/// What each request body's fields must be, beyond their types: (schema, field, constraints).
fn body_field(schema: &str, field: &str) -> Option<Value> {
    use crate::domain::service_status::{MAX_LINK, MAX_MESSAGE};
    let line = |max: usize| json!({"pattern": LINE_PATTERN, "minLength": 1, "maxLength": max});
    let email = || json!({"pattern": EMAIL_PATTERN, "maxLength": 254});
    Some(match (schema, field) {
        ("NewProvider", "provider_code") => {
            json!({"pattern": ProviderCode::PATTERN, "maxLength": ProviderCode::MAX_CHARS})
        }
        ("NewProvider" | "TenantChanges", "name") => line(crate::accounts::admin::NAME_MAX),
        ("TenantChanges", "help_contact") => {
            json!({"pattern": CONTACT_PATTERN, "maxLength": crate::accounts::admin::HELP_CONTACT_MAX})
        }
        ("TenantChanges", "default_language") => {
            json!({"enum": crate::i18n::Lang::published().map(crate::i18n::Lang::tag).collect::<Vec<_>>()})
        }
        ("NewUser", "login_name") => {
            json!({"pattern": LOGIN_NAME_PATTERN, "minLength": 1, "maxLength": LoginName::MAX_CHARS})
        }
        ("UserChanges" | "NewInvitation", "email") => email(),
        ("NewInvitation", "name") => line(200),
        ("KeyModelChanges", "name") => line(crate::domain::second_factor::MAX_KEY_NAME),
        ("KeyModelChanges", "attestation_ca") => {
            json!({"minLength": 1, "maxLength": crate::domain::second_factor::MAX_CA_PEM})
        }
        ("NewMaintenance", "message") => line(MAX_MESSAGE),
        ("NewMaintenance", "link") => json!({"pattern": LINK_PATTERN, "maxLength": MAX_LINK}),
        ("NewMaintenance", "until" | "from") => json!({"minimum": 0, "maximum": LAST_SECOND}),
        _ => return None,
    })
}

/// An https URI with a host name (what Lanyard itself fetches: a client's `jwks_uri`). A host
/// name's last label has a letter: one of digits alone would make the URL parser read the host
/// as an IPv4 address, and refuse it.
pub const HTTPS_URI_PATTERN: &str =
    r"^https://([A-Za-z0-9-]+\.)*[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$";

/// A redirect, logout or initiate-login URI as `ClientMetadata::validate` accepts it (https, or
/// http on the loopback host; no fragment), in its plain-ASCII form; a host name's last label
/// has a letter, as above.
pub const URI_PATTERN: &str = r"^(https://([A-Za-z0-9-]+\.)*[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*|http://(localhost|127\.0\.0\.1|\[::1\]))(:[0-9]{1,4})?(/[A-Za-z0-9._~/-]*)?$";

/// A registration's fields, beyond their types (the request bodies only: stored registrations
/// are answered as they were accepted).
fn registration_field(field: &str) -> Option<Value> {
    use crate::domain::application::ClientMetadata;
    let uri = || json!({"type": "string", "pattern": URI_PATTERN, "maxLength": ClientMetadata::MAX_URI});
    let uris =
        |min: usize| json!({"type": "array", "items": uri(), "minItems": min, "maxItems": ClientMetadata::MAX_ITEMS});
    Some(match field {
        "redirect_uris" => uris(1),
        "post_logout_redirect_uris" => uris(0),
        "initiate_login_uri" | "backchannel_logout_uri" => json!({"anyOf": [uri(), {"type": "null"}]}),
        "id_token_signed_response_alg" => json!({"type": "string", "enum": ["RS256", "ES256", "EdDSA"]}),
        "grant_types" => json!({"type": "array", "uniqueItems": true, "maxItems": 3,
            "items": {"type": "string", "enum": ["authorization_code", "refresh_token", "client_credentials"]}}),
        "scopes" => json!({"type": "array", "maxItems": ClientMetadata::MAX_ITEMS,
            "items": {"type": "string", "pattern": "^[!#-\\[\\]-~]{1,64}$"}}),
        "client_id" => json!({"anyOf": [{"type": "string", "pattern": CLIENT_ID_PATTERN}, {"type": "null"}]}),
        "name" => {
            json!({"type": "string", "pattern": LINE_PATTERN, "minLength": 1, "maxLength": crate::accounts::admin::NAME_MAX})
        }
        "providers" => json!({"type": "array", "maxItems": ClientMetadata::MAX_ITEMS,
            "items": {"type": "string", "pattern": ProviderCode::PATTERN}}),
        // RFC 7523: public keys, here as P-256 ones (the others are RSA and Ed25519: see
        // `domain::client_keys`); Lanyard fetches a jwks_uri, so never a loopback one.
        "jwks" => {
            // 32 bytes: 43 characters, the last with its two unused bits zero (canonical).
            let coordinate = json!({"type": "string", "pattern": "^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$"});
            let key = json!({"type": "object", "required": ["kty", "crv", "x", "y"], "additionalProperties": false,
                "properties": {"kty": {"const": "EC"}, "crv": {"const": "P-256"}, "x": coordinate, "y": coordinate,
                    "kid": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}, "use": {"const": "sig"}, "alg": {"const": "ES256"}}});
            json!({"type": "object", "required": ["keys"], "additionalProperties": false,
                "properties": {"keys": {"type": "array", "minItems": 1, "maxItems": crate::domain::client_keys::MAX_CLIENT_KEYS, "items": key}}})
        }
        "jwks_uri" => json!({"type": "string", "pattern": HTTPS_URI_PATTERN, "maxLength": ClientMetadata::MAX_URI}),
        _ => return None,
    })
}

/// The registration body as one object (the handler refuses unknown fields, which an `allOf`
/// cannot say), each field with its shape.
fn flatten_registration(schemas: &mut serde_json::Map<String, Value>) {
    let Some(metadata) = schemas.get("ClientMetadata").cloned() else { return };
    let Some(new_client) = schemas.get_mut("NewClient") else { return };
    let own = new_client.pointer("/allOf/1").cloned().unwrap_or_default();
    let mut properties = serde_json::Map::new();
    let mut required = Vec::new();
    for part in [&metadata, &own] {
        for (k, v) in part.get("properties").and_then(Value::as_object).into_iter().flatten() {
            properties.insert(k.clone(), registration_field(k).unwrap_or_else(|| v.clone()));
        }
        required.extend(part.get("required").and_then(Value::as_array).into_iter().flatten().cloned());
    }
    let description = new_client.get("description").cloned().unwrap_or_default();
    // RFC 7523: a private_key_jwt client gives its keys one way (jwks or jwks_uri); the others
    // give neither.
    // The fapi2 profile is for such a client only, signing ID tokens in ES256 or EdDSA.
    let keyed = json!({"properties": {"token_endpoint_auth_method": {"const": "private_key_jwt"}},
        "required": ["token_endpoint_auth_method"],
        "oneOf": [{"required": ["jwks"], "not": {"required": ["jwks_uri"]}},
                  {"required": ["jwks_uri"], "not": {"required": ["jwks"]}}],
        "anyOf": [{"properties": {"profile": {"const": "standard"}}},
                  {"properties": {"id_token_signed_response_alg": {"enum": ["ES256", "EdDSA"]}},
                   "required": ["id_token_signed_response_alg"]}]});
    let unkeyed = json!({"properties": {"token_endpoint_auth_method": {"enum": ["client_secret_basic", "client_secret_post", "none"]},
        "jwks": false, "jwks_uri": false, "profile": {"const": "standard"}}});
    *new_client = json!({"type": "object", "description": description, "properties": properties,
        "required": required, "additionalProperties": false, "anyOf": [keyed, unkeyed]});
    if let Some(changes) =
        schemas.get_mut("ClientChanges").and_then(|c| c.get_mut("properties")).and_then(Value::as_object_mut)
    {
        for (k, v) in changes.iter_mut() {
            if let Some(shape) = registration_field(k) {
                // A change may leave a field out (`null`): the shape or nothing.
                *v = if k == "initiate_login_uri" || k == "backchannel_logout_uri" {
                    shape
                } else {
                    json!({"anyOf": [shape, {"type": "null"}]})
                };
            }
        }
    }
}

/// The last second of the year 9999: times beyond it are nobody's plan.
pub const LAST_SECOND: i64 = 253_402_300_799;

/// The lists paged by an opaque cursor (issue 31); the activity record's cursor is still an id.
const KEYSET_LISTS: [&str; 4] = ["list_users", "list_invitations", "list_providers", "list_clients"];

/// Query parameters' shapes, by operation and name.
fn query_parameter(operation: &str, name: &str) -> Option<Value> {
    if KEYSET_LISTS.contains(&operation) {
        match name {
            "limit" => return Some(json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT})),
            "cursor" => {
                return Some(
                    json!({"type": "string", "pattern": "^[A-Za-z0-9_-]+$", "minLength": 2, "maxLength": MAX_CURSOR}),
                );
            }
            "status" => return Some(json!({"type": "string", "enum": UserStatus::ALL.map(UserStatus::as_str)})),
            "user_type" => return Some(json!({"type": "string", "enum": UserType::ALL.map(UserType::as_str)})),
            _ => {}
        }
    }
    Some(match name {
        "q" => json!({"type": "string", "maxLength": 64}),
        "user" => json!({"type": "string", "pattern": LINE_PATTERN, "maxLength": LoginName::MAX_CHARS}),
        "since" | "until" => json!({"type": "integer", "format": "int64", "minimum": 0, "maximum": LAST_SECOND}),
        "kind" | "client_id" => json!({"type": "string", "maxLength": 128}),
        "limit" => json!({"type": "integer", "minimum": 1, "maximum": 1000}),
        "cursor" => json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": i32::MAX}),
        "status" => json!({"type": "string", "enum": RECOVERY_STATUSES}),
        _ => return None,
    })
}

/// The recovery requests' list filter (`admin::recovery::list`).
pub const RECOVERY_STATUSES: [&str; 7] = ["pending", "approved", "refused", "completed", "withdrawn", "voided", "all"];

/// An AAGUID as the documents spell it (the API reads any UUID spelling).
pub const AAGUID_PATTERN: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// The schema of each path parameter, by its name.
fn path_parameter(name: &str) -> Option<Value> {
    Some(match name {
        "code" => {
            json!({"type": "string", "pattern": ProviderCode::PATTERN, "minLength": 1, "maxLength": ProviderCode::MAX_CHARS})
        }
        "login" => json!({"type": "string", "pattern": LINE_PATTERN, "maxLength": LoginName::MAX_CHARS}),
        "client_id" => json!({"type": "string", "pattern": CLIENT_ID_PATTERN}),
        "id" => json!({"type": "integer", "format": "int32", "minimum": 1, "maximum": i32::MAX}),
        "format" => json!({"type": "string", "enum": ["csv", "jsonl"]}),
        "aaguid" => json!({"type": "string", "pattern": AAGUID_PATTERN}),
        _ => return None,
    })
}

/// A link's parameters: (the used operation's parameter, where its value comes from).
type LinkParameters = &'static [(&'static str, &'static str)];

/// (operation that creates, its success status, link name, operation that uses, parameters).
const LINKS: &[(&str, &str, &str, &str, LinkParameters)] = &[
    ("create_provider", "201", "ShowProvider", "show_provider", &[("code", "$response.body#/provider_code")]),
    ("create_provider", "201", "UpdateProvider", "update_provider", &[("code", "$response.body#/provider_code")]),
    ("create_provider", "201", "ListUsers", "list_users", &[("code", "$response.body#/provider_code")]),
    ("create_user", "201", "ShowUser", "show_user", USER),
    ("create_user", "201", "UpdateUser", "update_user", USER),
    ("create_user", "201", "ResetPassword", "reset_user_password", USER),
    ("create_user", "201", "ChangeStatus", "change_user_status", USER),
    ("create_user", "201", "ListSessions", "list_user_sessions", USER),
    ("create_user", "201", "ListApplications", "list_user_applications", USER),
    ("create_user", "201", "SendResetLink", "send_user_reset_link", USER),
    ("create_user", "201", "SignOutEverywhere", "sign_out_user_everywhere", USER),
    ("create_user", "201", "ShowSecondFactors", "show_user_second_factors", USER),
    ("create_user", "201", "ResetSecondFactors", "reset_user_second_factors", USER),
    ("create_client", "201", "ShowClient", "show_client", CLIENT),
    ("create_client", "201", "UpdateClient", "update_client", CLIENT),
    ("create_client", "201", "RotateSecret", "rotate_client_secret", CLIENT),
    ("create_client", "201", "DeleteClient", "delete_client", CLIENT),
    ("create_invitation", "201", "ResendInvitation", "resend_invitation", INVITATION),
    ("create_invitation", "201", "RevokeInvitation", "revoke_invitation", INVITATION),
];

const USER: LinkParameters = &[("code", "$request.path.code"), ("login", "$response.body#/login_name")];
const CLIENT: LinkParameters = &[("client_id", "$response.body#/client_id")];
const INVITATION: LinkParameters = &[("code", "$request.path.code"), ("id", "$response.body#/id")];

/// The document with its path parameters' schemas and its links.
pub fn complete(mut doc: Value) -> Value {
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    let mut ids = std::collections::BTreeSet::new();
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for op in item.values_mut() {
            let operation = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            ids.insert(operation.clone());
            for param in op.get_mut("parameters").and_then(Value::as_array_mut).into_iter().flatten() {
                let name = param.get("name").and_then(Value::as_str).unwrap_or_default();
                let schema = match param.get("in").and_then(Value::as_str) {
                    Some("path") => path_parameter(name),
                    Some("query") => query_parameter(&operation, name),
                    _ => None,
                };
                if let Some(schema) = schema {
                    param["schema"] = schema;
                }
            }
        }
    }
    if let Some(schemas) = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut) {
        flatten_registration(schemas);
        let roles = schemas.get_mut("AdminGrant").and_then(|g| g.get_mut("oneOf")).and_then(Value::as_array_mut);
        for role in roles.into_iter().flatten() {
            if let Some(provider) = role.pointer_mut("/properties/provider") {
                *provider = json!({"type": "string", "pattern": ProviderCode::PATTERN});
            }
        }
    }
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut);
    for (schema_name, schema) in schemas.into_iter().flatten() {
        let properties = schema.get_mut("properties").and_then(Value::as_object_mut);
        for (field, property) in properties.into_iter().flatten() {
            let (Some(extra), Some(property)) = (body_field(schema_name, field), property.as_object_mut()) else {
                continue;
            };
            for (k, v) in extra.as_object().into_iter().flatten() {
                property.insert(k.clone(), v.clone());
            }
        }
    }
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return doc };
    for (from, status, name, to, parameters) in LINKS {
        // A link to an operation the document does not have would be a broken promise.
        if !ids.contains(*to) {
            continue;
        }
        let parameters: serde_json::Map<String, Value> =
            parameters.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        let link = json!({"operationId": to, "parameters": parameters});
        for item in paths.values_mut() {
            let Some(item) = item.as_object_mut() else { continue };
            for op in item.values_mut() {
                if op.get("operationId").and_then(Value::as_str) == Some(*from)
                    && let Some(response) =
                        op.pointer_mut(&format!("/responses/{status}")).and_then(Value::as_object_mut)
                {
                    let links = response.entry("links").or_insert_with(|| json!({}));
                    if let Some(links) = links.as_object_mut() {
                        links.insert(name.to_string(), link.clone());
                    }
                }
            }
        }
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(pattern: &str, s: &str) -> bool {
        regex::Regex::new(pattern).unwrap().is_match(s)
    }

    #[test]
    fn parameter_patterns_agree_with_the_parsers() {
        for raw in ["ACME", "a.b-c_9", "", "bad code", "é", "x/y", &"A".repeat(64), &"A".repeat(65)] {
            assert_eq!(matches(ProviderCode::PATTERN, raw), ProviderCode::parse(raw).is_some(), "{raw:?}");
        }
        for raw in [
            "ops",
            "lanyard-console",
            "a~b.c_d",
            "",
            "with space",
            "a/b",
            "a%2F",
            "ü",
            &"x".repeat(128),
            &"x".repeat(129),
        ] {
            let accepted = !raw.is_empty()
                && raw.len() <= 128
                && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '-'));
            assert_eq!(matches(CLIENT_ID_PATTERN, raw), accepted, "{raw:?}");
        }
        for raw in [
            "a@b.org",
            "first.last+tag@agency.example",
            "a@b",
            "a@.b",
            "a@b.",
            "@b.org",
            "a b@c.org",
            "a@b@c.org",
            "x<y@z.org",
        ] {
            assert_eq!(matches(EMAIL_PATTERN, raw), crate::accounts::enrolment::valid_email(raw), "{raw:?}");
        }
        for raw in ["alice", "Alice Smith", "o'brien", " alice", "alice ", "", "a\u{200B}b", "\u{0455}am"] {
            let documented = matches(LOGIN_NAME_PATTERN, raw);
            assert!(!documented || LoginName::parse_new(raw).is_ok(), "documented but refused: {raw:?}");
        }
        for raw in ["Acme Agency", " x ", "", "  ", "a\tb"] {
            let documented = matches(LINE_PATTERN, raw);
            let accepted = !raw.trim().is_empty() && !raw.chars().any(char::is_control);
            assert_eq!(documented, accepted, "{raw:?}");
        }
        for raw in [
            "https://app.example/cb",
            "http://localhost:8080/cb",
            "http://127.0.0.1/x",
            "http://app.example/cb",
            "https://a/b#c",
        ] {
            let accepted = crate::domain::application::check_uri(raw).is_ok();
            assert!(!matches(URI_PATTERN, raw) || accepted, "documented but refused: {raw:?}");
        }
        for raw in ["https://status.example/x", "http://a.b:8080", "ftp://x.example", "https://"] {
            assert!(!matches(LINK_PATTERN, raw) || url::Url::parse(raw).is_ok_and(|u| u.host().is_some()), "{raw:?}");
        }
        assert!(LoginName::parse(&"a".repeat(LoginName::MAX_CHARS)).is_ok());
        assert!(LoginName::parse(&"a".repeat(LoginName::MAX_CHARS + 1)).is_err());
    }
}
