//! S7 (issue 25, item 1): every mailed credential of an account — the password token (S3), the
//! staff-sent reset link (P3), the super-admin recovery link (A2), the address code (S2) — dies
//! when the password is set by anyone, the address on file changes, or the account is
//! admin-locked, deactivated or deleted; and the activity record says so. Every (event ×
//! credential) pair that can happen is tried on its own account, beside a control that shows
//! the credential works when nothing happened. Mail goes over real SMTP.

use lanyard::accounts::admin::StatusChange;
use lanyard::accounts::reset::ForgotRequest;
use lanyard::domain::activity::Origin;
use lanyard::domain::recovery::RecoveryStatus;
use lanyard::domain::user::{User, UserType};
use lanyard::secret::Secret;
use reqwest::StatusCode;

use crate::backend_tests;
use crate::smtp_sink::Sink;
use crate::support::spawn_with_mail;
use crate::support::{AsLanyard, Backend, PASSWORD, TestApp, csrf_of, sign_in};

/// What each use of a credential chooses: meets L5, differs from every earlier password.
const CHOSEN: &str = "Mailed-Chose-2027!";
const ADMINS: &str = "Admin-Chose-2027!";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    ResetToken,
    ResetLink,
    RecoveryLink,
    AddressCode,
}

const KINDS: [Kind; 4] = [Kind::ResetToken, Kind::ResetLink, Kind::RecoveryLink, Kind::AddressCode];

impl Kind {
    /// How the activity record names it.
    fn named(self) -> &'static str {
        match self {
            Kind::ResetToken => "password token (S3)",
            Kind::ResetLink => "staff-sent reset link (P3)",
            Kind::RecoveryLink => "recovery link (A2)",
            Kind::AddressCode => "address code (S2)",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    /// A1: an administrator's new password.
    AdminPassword,
    /// The person's own Change Password.
    OwnPassword,
    /// L4: the forced change after a temporary password.
    ForcedChange,
    /// S4–S6: the person's self reset with a password token.
    SelfReset,
    /// P3: the person completes a staff-sent link.
    StaffLink,
    /// An administrator records another address.
    AdminAddress,
    /// S2: the person verifies and saves another address.
    OwnAddress,
    AdminLock,
    /// S5: too many wrong password tokens lock the account administratively.
    WrongTokens,
    Deactivate,
    Delete,
}

const EVENTS: [Event; 11] = [
    Event::AdminPassword,
    Event::OwnPassword,
    Event::ForcedChange,
    Event::SelfReset,
    Event::StaffLink,
    Event::AdminAddress,
    Event::OwnAddress,
    Event::AdminLock,
    Event::WrongTokens,
    Event::Deactivate,
    Event::Delete,
];

impl Event {
    /// Whether the event can happen to an account holding `kind`. A2's link is only ever held by
    /// a locked super admin, who cannot sign in (own change, forced change, new address at
    /// Settings); an event that is itself a use of `kind` is the credential's ordinary use.
    fn meets(self, kind: Kind) -> bool {
        let signs_in = matches!(self, Event::OwnPassword | Event::ForcedChange | Event::OwnAddress);
        let uses = match self {
            Event::SelfReset | Event::WrongTokens => Some(Kind::ResetToken),
            Event::StaffLink => Some(Kind::ResetLink),
            Event::OwnAddress => Some(Kind::AddressCode),
            _ => None,
        };
        !(kind == Kind::RecoveryLink && signs_in) && uses != Some(kind)
    }

    fn why(self) -> &'static str {
        match self {
            Event::AdminPassword | Event::OwnPassword | Event::ForcedChange | Event::SelfReset | Event::StaffLink => {
                "the password was set"
            }
            Event::AdminAddress | Event::OwnAddress => "the address on file changed",
            Event::AdminLock | Event::WrongTokens => "the account was admin locked",
            Event::Deactivate => "the account was deactivated",
            Event::Delete => "the account was deleted",
        }
    }
}

/// A credential as its holder has it.
enum Held {
    Token { handle: String, token: String },
    Link(String),
    Recovery(String),
    Code { sid: String, code: String },
}

fn origin(n: usize) -> Origin {
    Origin { ip: format!("10.{}.{}.1", n / 250, n % 250), user_agent: "s7-test".into() }
}

fn email(login: &str) -> String {
    format!("{login}@acme.example")
}

/// The newest mail to `to` that contains `needle`.
async fn mail_to(sink: &Sink, to: &str, needle: &str) -> String {
    let header = format!("To: {to}");
    for _ in 0..200 {
        let all = sink.messages.lock().await.clone();
        let found =
            all.iter().map(|m| crate::smtp_sink::decode(m)).rfind(|m| m.contains(&header) && m.contains(needle));
        if let Some(m) = found {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no mail to {to} containing {needle:?}");
}

fn after<'a>(mail: &'a str, marker: &str) -> &'a str {
    let at = mail.find(marker).unwrap_or_else(|| panic!("{marker:?} in {mail}")) + marker.len();
    let rest = &mail[at..];
    &rest[..rest.find(|c: char| c.is_whitespace() || c == '"' || c == '<').unwrap_or(rest.len())]
}

/// An account able to hold `kind`: a verified address, self reset on (S1); a super admin locked
/// by wrong passwords for A2; a temporary password for the forced change (L4).
async fn account(app: &TestApp, login: &str, kind: Kind, event: Option<Event>) -> User {
    let accounts = &app.state.accounts;
    let super_admin = kind == Kind::RecoveryLink;
    let kind_of = if super_admin { UserType::SuperAdmin } else { UserType::Regular };
    let temporary = event == Some(Event::ForcedChange);
    let user = accounts
        .admin(crate::support::operator())
        .create_user("ACME", login, kind_of, &Secret::new(PASSWORD), temporary)
        .await
        .unwrap();
    accounts.lanyard().set_verified_email_unchecked(&user, &email(login)).await.unwrap();
    accounts.admin(crate::support::operator()).set_user_self_reset("ACME", login, true).await.unwrap();
    if super_admin {
        for _ in 0..3 {
            sign_in(app, &app.browser(), login, "Wrong-Guess-1!", "ACME").await;
        }
    }
    accounts.lanyard().user("ACME", login).await.unwrap().1
}

/// Mails `kind` to the account's holder; returns what arrived.
async fn mail(app: &TestApp, sink: &Sink, n: usize, login: &str, kind: Kind) -> Held {
    let accounts = &app.state.accounts;
    let base = app.url("");
    let to = email(login);
    match kind {
        Kind::ResetToken => {
            let req = ForgotRequest {
                login_name: login.into(),
                provider_code: "ACME".into(),
                email: to.clone(),
                origin: origin(n),
                language: None,
            };
            let handle = accounts.request_reset(req).await.unwrap();
            let token = after(&mail_to(sink, &to, "token is ").await, "token is ").chars().take(8).collect();
            Held::Token { handle, token }
        }
        Kind::ResetLink => {
            accounts.admin(crate::support::operator()).send_reset_link("ACME", login, &base).await.unwrap();
            Held::Link(after(&mail_to(sink, &to, "/password/link?token=").await, "/password/link?token=").into())
        }
        Kind::RecoveryLink => {
            accounts.request_recovery("ACME", login, &origin(n)).await.unwrap();
            let user = accounts.lanyard().user("ACME", login).await.unwrap().1;
            let pending = accounts.lanyard().recovery_requests(Some(RecoveryStatus::Pending)).await.unwrap();
            let request = pending.iter().find(|r| r.request.user_id == user.id).expect("a pending request");
            accounts.admin(crate::support::operator()).approve_recovery(request.request.id, &base).await.unwrap();
            Held::Recovery(after(&mail_to(sink, &to, "/recover?token=").await, "/recover?token=").into())
        }
        Kind::AddressCode => {
            let user = accounts.lanyard().user("ACME", login).await.unwrap().1;
            let sid = format!("sid-{login}");
            let new = format!("new-{login}@acme.example");
            accounts.enrolling().verify(user.id, &sid, &Secret::new(PASSWORD), &origin(n)).await.unwrap();
            accounts.enrolling().send_code(user.id, &sid, &new).await.unwrap();
            let code = after(&mail_to(sink, &new, "code is ").await, "code is ").chars().take(6).collect();
            Held::Code { sid, code }
        }
    }
}

/// Uses the credential as its holder would; true when it worked.
async fn works(app: &TestApp, n: usize, user: &User, held: &Held) -> bool {
    let accounts = &app.state.accounts;
    let (chosen, confirm) = (Secret::new(CHOSEN), Secret::new(CHOSEN));
    match held {
        Held::Token { handle, token } => {
            accounts.complete_reset(handle, token, &chosen, &confirm, &origin(n)).await.is_ok()
        }
        Held::Link(token) => {
            let valid = accounts.reset_link_valid(token).await.unwrap();
            let done = accounts.complete_reset_link(token, &chosen, &confirm, &origin(n)).await.is_ok();
            assert_eq!(valid, done, "the page and the form agree");
            done
        }
        Held::Recovery(token) => {
            let valid = accounts.recovery_link_valid(token).await.unwrap();
            let done = accounts.complete_recovery(token, &chosen, &confirm, &origin(n)).await.is_ok();
            assert_eq!(valid, done, "the page and the form agree");
            done
        }
        Held::Code { sid, code } => {
            accounts.enrolling().check_code(user.id, sid, code).await.is_ok()
                && accounts.enrolling().save(user.id, sid, origin(n)).await.is_ok()
        }
    }
}

/// The event, done the way it is done in Lanyard: by an administrator (as the CLI), or by the
/// person on the pages or through the rules they call.
async fn happen(app: &TestApp, sink: &Sink, n: usize, login: &str, event: Event) {
    let accounts = &app.state.accounts;
    let status = |change| async move {
        accounts.admin(crate::support::operator()).change_status("ACME", login, change).await.unwrap()
    };
    match event {
        Event::AdminPassword => {
            accounts
                .admin(crate::support::operator())
                .set_password("ACME", login, &Secret::new(ADMINS), false)
                .await
                .unwrap();
        }
        Event::OwnPassword => {
            let browser = app.browser();
            assert_eq!(sign_in(app, &browser, login, PASSWORD, "ACME").await.status(), StatusCode::SEE_OTHER);
            let page = browser.get(app.url("/password/change")).send().await.unwrap().text().await.unwrap();
            let form = [
                ("csrf", csrf_of(&page)),
                ("current_password", PASSWORD.into()),
                ("new_password", ADMINS.into()),
                ("confirm_password", ADMINS.into()),
            ];
            let res = browser.post(app.url("/password/change")).form(&form).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::SEE_OTHER);
        }
        Event::ForcedChange => {
            let user = accounts.lanyard().user("ACME", login).await.unwrap().1;
            let new = Secret::new(ADMINS);
            accounts.change_password(user.id, &new, &new, origin(n)).await.unwrap();
        }
        Event::SelfReset => {
            let Held::Token { handle, token } = mail(app, sink, n, login, Kind::ResetToken).await else {
                unreachable!()
            };
            let new = Secret::new(ADMINS);
            accounts.complete_reset(&handle, &token, &new, &new, &origin(n)).await.unwrap();
        }
        Event::StaffLink => {
            let Held::Link(token) = mail(app, sink, n, login, Kind::ResetLink).await else { unreachable!() };
            let new = Secret::new(ADMINS);
            accounts.complete_reset_link(&token, &new, &new, &origin(n)).await.unwrap();
        }
        Event::AdminAddress => {
            accounts
                .admin(crate::support::operator())
                .set_user_email("ACME", login, &format!("moved-{login}@acme.example"))
                .await
                .unwrap();
        }
        Event::OwnAddress => {
            let Held::Code { sid, code } = mail(app, sink, n, login, Kind::AddressCode).await else { unreachable!() };
            let user = accounts.lanyard().user("ACME", login).await.unwrap().1;
            accounts.enrolling().check_code(user.id, &sid, &code).await.unwrap();
            accounts.enrolling().save(user.id, &sid, origin(n)).await.unwrap();
        }
        Event::AdminLock => {
            status(StatusChange::AdminLock).await;
        }
        Event::WrongTokens => {
            let Held::Token { handle, .. } = mail(app, sink, n, login, Kind::ResetToken).await else { unreachable!() };
            let new = Secret::new(ADMINS);
            for _ in 0..3 {
                let _ = accounts.complete_reset(&handle, "WRONG222", &new, &new, &origin(n)).await;
            }
            let user = accounts.lanyard().user("ACME", login).await.unwrap().1;
            assert_eq!(user.status.as_str(), "admin_locked", "S5");
        }
        Event::Deactivate => {
            status(StatusChange::Deactivate).await;
        }
        Event::Delete => {
            status(StatusChange::Delete).await;
        }
    }
}

/// The S7 entries of the account's activity record.
async fn voided_entries(app: &TestApp, user: &User) -> Vec<String> {
    let accounts = &app.state.accounts;
    let tenant = accounts.lanyard().tenant("ACME").await.unwrap();
    let entries = accounts.lanyard().activity(&tenant, Some(user), None, 200).await.unwrap();
    entries.into_iter().map(|e| e.detail).filter(|d| d.contains("(S7)")).collect()
}

async fn s7_every_event_voids_every_mailed_credential(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let changes = lanyard::domain::tenant::TenantChanges { self_reset_enabled: Some(true), ..Default::default() };
    app.state.accounts.admin(crate::support::operator()).update_tenant("ACME", &changes).await.unwrap();
    let mut n = 0;
    for kind in KINDS {
        // The control: mailed, nothing happened, it works (and only once).
        n += 1;
        let login = format!("ok-{n}");
        let user = account(&app, &login, kind, None).await;
        let held = mail(&app, &sink, n, &login, kind).await;
        assert!(works(&app, n, &user, &held).await, "{kind:?} works when nothing happened");
        assert!(!works(&app, n, &user, &held).await, "{kind:?} works once");

        for event in EVENTS.into_iter().filter(|e| e.meets(kind)) {
            n += 1;
            let login = format!("s7-{n}");
            let user = account(&app, &login, kind, Some(event)).await;
            let held = mail(&app, &sink, n, &login, kind).await;
            happen(&app, &sink, n, &login, event).await;
            let before = app.state.accounts.user_by_id(user.id).await.unwrap().map(|u| u.password_hash);
            assert!(!works(&app, n, &user, &held).await, "{kind:?} must not survive {event:?}");
            let after = app.state.accounts.user_by_id(user.id).await.unwrap().map(|u| u.password_hash);
            assert_eq!(before, after, "{event:?} × {kind:?}: the dead credential set no password");
            let voided = voided_entries(&app, &user).await;
            assert!(
                voided.iter().any(|d| d.contains(kind.named()) && d.contains(event.why())),
                "{event:?} × {kind:?}: the record says so: {voided:?}"
            );
        }
    }
    app.stop().await;
}

/// A2 (issue 25, item 2): an approved link completes only while the account is still the locked
/// super admin it was approved for; a platform operator can withdraw the approval (API); and an
/// admin lock after the approval is never lifted by the link.
async fn a2_an_approval_can_be_withdrawn_and_never_lifts_a_later_lock(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let ops =
        crate::support::token_for(&app, "ops", Some(lanyard::domain::application::AdminGrant::PlatformOperator)).await;
    let accounts = &app.state.accounts;

    // Withdrawn through the API: the link's page and form refuse it; the request says so.
    let boss = account(&app, "boss", Kind::RecoveryLink, None).await;
    let Held::Recovery(token) = mail(&app, &sink, 1, "boss", Kind::RecoveryLink).await else { unreachable!() };
    let id = accounts.lanyard().recovery_requests(Some(RecoveryStatus::Approved)).await.unwrap()[0].request.id;
    let (status, p) =
        crate::support::call(&app, &ops, "POST", &format!("/recovery-requests/{id}/withdraw"), None).await;
    assert_eq!((status, p["status"].as_str()), (StatusCode::OK, Some("withdrawn")), "{p}");
    let (status, _) =
        crate::support::call(&app, &ops, "POST", &format!("/recovery-requests/{id}/withdraw"), None).await;
    assert_eq!(status, StatusCode::CONFLICT, "only an approved request can be withdrawn");
    let page = app.browser().get(app.url(&format!("/recover?token={token}"))).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Link not valid"));
    assert!(!works(&app, 1, &boss, &Held::Recovery(token)).await);
    let boss = accounts.lanyard().user("ACME", "boss").await.unwrap().1;
    assert_eq!(boss.status.as_str(), "password_locked", "nothing changed");

    // Approved while password-locked, then admin-locked on purpose: the link stays dead and the
    // lock stands.
    let Held::Recovery(token) = mail(&app, &sink, 2, "boss", Kind::RecoveryLink).await else { unreachable!() };
    accounts.admin(crate::support::operator()).change_status("ACME", "boss", StatusChange::AdminLock).await.unwrap();
    assert!(!works(&app, 2, &boss, &Held::Recovery(token)).await);
    assert_eq!(accounts.lanyard().user("ACME", "boss").await.unwrap().1.status.as_str(), "admin_locked");
    let voided = accounts.lanyard().recovery_requests(Some(RecoveryStatus::Voided)).await.unwrap();
    assert_eq!(voided.len(), 1, "the approval shows as voided");

    // No longer a super admin: nothing to recover.
    let other = account(&app, "boss2", Kind::RecoveryLink, None).await;
    let Held::Recovery(token) = mail(&app, &sink, 3, "boss2", Kind::RecoveryLink).await else { unreachable!() };
    accounts.admin(crate::support::operator()).set_user_type("ACME", "boss2", UserType::ProviderAdmin).await.unwrap();
    assert!(!works(&app, 3, &other, &Held::Recovery(token)).await);
    app.stop().await;
}

/// A credential mailed while an event runs is void too, whichever wins: eight staff-sent links
/// race eight administrator's passwords; afterwards no link outlives the last password.
async fn s7_a_link_mailed_during_an_event_is_void(backend: Backend) {
    let (app, sink) = spawn_with_mail(backend).await;
    app.tenant("ACME").await;
    let user = account(&app, "racer", Kind::ResetLink, None).await;
    let accounts = app.state.accounts.clone();
    let base = app.url("");
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (a, b) = (accounts.clone(), base.clone());
        tasks.push(tokio::spawn(async move {
            a.admin(crate::support::operator()).send_reset_link("ACME", "racer", &b).await.map(|_| ())
        }));
        let a = accounts.clone();
        let password = Secret::new(format!("Racing-Admin-{i}!x"));
        tasks.push(tokio::spawn(async move {
            a.admin(crate::support::operator()).set_password("ACME", "racer", &password, false).await.map(|_| ())
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    // Whichever won each race, at most the newest link is live, and only if no password
    // followed it; after one more password none is.
    let mut links = Vec::new();
    for i in 1..=8 {
        links.push(after(&sink.find(i, "/password/link?token=").await, "/password/link?token=").to_string());
    }
    let mut live = 0;
    for link in &links {
        live += usize::from(accounts.reset_link_valid(link).await.unwrap());
    }
    assert!(live <= 1, "one live link at most: {live}");
    accounts
        .admin(crate::support::operator())
        .set_password("ACME", "racer", &Secret::new("Final-Admin-Word-9!"), false)
        .await
        .unwrap();
    for link in &links {
        assert!(!accounts.reset_link_valid(link).await.unwrap(), "a link mailed before the last password");
    }
    assert_eq!(
        accounts.user_by_id(user.id).await.unwrap().unwrap().mailed_epoch,
        10,
        "one step per event: the address, nine passwords"
    );
    app.stop().await;
}

backend_tests! {
    s7_matrix => s7_every_event_voids_every_mailed_credential,
    a2_withdraw_and_later_lock => a2_an_approval_can_be_withdrawn_and_never_lifts_a_later_lock,
    s7_race => s7_a_link_mailed_during_an_event_is_void,
}
