//! The envelope: what every request passes through before its route and every response after,
//! in one middleware. Each of these was once a layer of its own; every `from_fn` layer clones the
//! service stack beneath it and boxes it and its future again on every request (issue 31:
//! discovery, which is little else, answered 15–22 % faster once they were one).
//!
//! In order, on the way in:
//! 1. the body: refused if declared over the limit, else read whole within the deadline;
//! 2. what the request says about its language, kept for the response (G1);
//! 3. the maintenance window (M1): while it is in force most requests get the notice;
//!
//! and on the way out:
//! 4. a page made in English where the request was not at hand, in the browser's language (G1);
//! 5. the administration API's refusals of a body (step 1's) as problem details, like all its
//!    other refusals;
//! 6. the security headers (and HSTS on an https issuer), on everything, refusals included.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::accounts::Accounts;
use crate::admin::problem;
use crate::http::{headers, language::Said, server};
use crate::web::maintenance;

/// Largest request body accepted (forms and token requests are far smaller).
pub const MAX_BODY: usize = 64 * 1024;

#[derive(Clone)]
pub struct Envelope {
    pub accounts: Accounts,
    /// `body_read_timeout`: the whole body must arrive within it.
    pub body_time: Duration,
    /// The issuer is https: responses carry HSTS.
    pub https: bool,
}

pub async fn envelope(State(env): State<Envelope>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/admin/api/");
    let mut res = match server::read_body(env.body_time, MAX_BODY, req).await {
        Ok(req) => {
            let said = Said::of(&req);
            let notice = maintenance::notice_for(&env.accounts, req.headers(), req.uri().path());
            let res = match notice.await {
                Some(notice) => notice,
                None => next.run(req).await,
            };
            said.translate(res)
        }
        Err(refused) => refused,
    };
    if api {
        res = problem::refusal_as_problem(res);
    }
    headers::secure(&mut res, env.https);
    res
}
