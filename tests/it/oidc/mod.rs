//! The OpenID Provider, driven by an independent relying-party library (openidconnect).

pub mod rp;

mod authorize;
mod code_flow;
mod dpop;
mod fapi2;
mod hints;
pub mod logout;
mod par;
mod params;
mod private_key_jwt;
mod request_object;
pub mod tokens;
