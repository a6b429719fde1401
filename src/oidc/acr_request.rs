//! F7: what an authorization request asks of the session's level — `acr_values` (a voluntary
//! request, OIDC Core §3.1.2.1) and the `acr` member of the `claims` parameter (§5.5.1.1). The
//! `claims` parameter is read for `acr` alone (discovery does not advertise it, so a value that
//! is not a JSON object is ignored, as an unsupported parameter is): an essential request that
//! only the multi-factor level satisfies must be met or fail (`access_denied`).

use serde_json::Value;

use crate::domain::second_factor::ACR_MULTI_FACTOR;

/// The level a request asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AcrRequest {
    /// Asked for, voluntarily: the session steps up when it can.
    pub wants_multi_factor: bool,
    /// Essential and only the multi-factor level will do.
    pub requires_multi_factor: bool,
}

impl AcrRequest {
    pub fn read(acr_values: Option<&str>, claims: Option<&str>) -> Self {
        let mut out = AcrRequest {
            wants_multi_factor: acr_values.is_some_and(|v| v.split(' ').any(|a| a == ACR_MULTI_FACTOR)),
            requires_multi_factor: false,
        };
        let Some(Ok(Value::Object(claims))) = claims.map(serde_json::from_str::<Value>) else { return out };
        for target in ["id_token", "userinfo"] {
            let Some(acr) = claims.get(target).and_then(|t| t.get("acr")).filter(|a| a.is_object()) else { continue };
            let mut values: Vec<&str> = acr.get("value").and_then(Value::as_str).into_iter().collect();
            if let Some(list) = acr.get("values").and_then(Value::as_array) {
                values.extend(list.iter().filter_map(Value::as_str));
            }
            if !values.contains(&ACR_MULTI_FACTOR) {
                continue;
            }
            out.wants_multi_factor = true;
            let essential = acr.get("essential").and_then(Value::as_bool).unwrap_or(false);
            out.requires_multi_factor |= essential && values.iter().all(|v| *v == ACR_MULTI_FACTOR);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MFA: &str = ACR_MULTI_FACTOR;

    #[test]
    fn f7_acr_values_is_a_wish() {
        let r = AcrRequest::read(Some(&format!("urn:other {MFA}")), None);
        assert_eq!(r, AcrRequest { wants_multi_factor: true, requires_multi_factor: false });
        assert_eq!(AcrRequest::read(Some("urn:other"), None), AcrRequest::default());
    }

    #[test]
    fn f7_an_essential_acr_claim_of_the_multi_factor_level_is_a_requirement() {
        let essential = format!(r#"{{"id_token":{{"acr":{{"essential":true,"values":["{MFA}"]}}}}}}"#);
        let r = AcrRequest::read(None, Some(&essential));
        assert!(r.requires_multi_factor && r.wants_multi_factor);
        let single = format!(r#"{{"userinfo":{{"acr":{{"essential":true,"value":"{MFA}"}}}}}}"#);
        assert!(AcrRequest::read(None, Some(&single)).requires_multi_factor);
        // Voluntary, or satisfied by the password level too: a wish only.
        let voluntary = format!(r#"{{"id_token":{{"acr":{{"values":["{MFA}"]}}}}}}"#);
        assert!(!AcrRequest::read(None, Some(&voluntary)).requires_multi_factor);
        let either =
            format!(r#"{{"id_token":{{"acr":{{"essential":true,"values":["urn:lanyard:acr:pwd","{MFA}"]}}}}}}"#);
        let r = AcrRequest::read(None, Some(&either));
        assert!(r.wants_multi_factor && !r.requires_multi_factor);
        // Other claims, or an acr of null, ask nothing.
        assert_eq!(AcrRequest::read(None, Some(r#"{"id_token":{"acr":null,"email":null}}"#)), AcrRequest::default());
    }

    #[test]
    fn f7_a_claims_parameter_that_is_not_an_object_is_ignored() {
        for bad in ["", "[]", "\"acr\"", "{", "null"] {
            assert_eq!(
                AcrRequest::read(Some(MFA), Some(bad)),
                AcrRequest { wants_multi_factor: true, requires_multi_factor: false },
                "{bad}"
            );
        }
    }
}
