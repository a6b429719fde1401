//! Two small relying parties for `lanyard demo`: "Care Records" (A) and "Care Connect" (B).
//! Each is a real OpenID Connect client of Lanyard written with the `openidconnect` crate —
//! sign in, show the user and user type (A3), sign out of the application only or of Lanyard too
//! (RP-initiated logout, L6), end its sessions when Lanyard says so (back-channel logout) — and
//! A has the button that opens B in a new tab through unified login (U1, U2).

mod bounded;
mod logout_token;
mod pages;
mod relying_party;

pub use relying_party::{DemoApp, Peer};
