# Help, recovery, invitations and the service's own pages: "Trouble signing in?", the sign-in
# help page and A2's recovery link, P1's registration and P3's reset link, M1's maintenance
# notice, M2's status page, and the sign-out confirmation.
# Pieces that end in -before / -after / -link surround a link or a highlighted value in the
# page: translate each so that, put together in that order, they read as one sentence.

## "Trouble signing in?" (seed 001's troubleshooting guide, in the product's words). Its title
## is login-trouble; the link to self reset is login-forgot-password.

help-caps-lock-title = Check your Caps Lock.
help-caps-lock = Passwords are case-sensitive: with Caps Lock on, the password you type is not your password.
help-provider-code-title = Check your Provider Code.
help-provider-code = It is case-sensitive too: type it exactly as your agency gave it to you.
help-status-title = Is Lanyard up?
# M2; followed by a link reading help-status-link, then help-status-after.
help-status-before = The
help-status-link = status page
help-status-after = says whether the service is down or under maintenance, and you can subscribe to its notices. If you see a maintenance page, it tells you how long; try again after that.
help-locked-title = Locked out?
# L3; followed by a link reading login-forgot-password (S3's self reset).
help-locked = After three wrong passwords in a row (or the number your agency chose), your account locks. Only your Provider Administrator can unlock it or give you a temporary password — or, if your agency has turned on self password reset, you can choose a new password yourself with
help-ask-admin-title = Ask your Provider Administrator.
help-ask-admin = If you do not know who that is, ask your supervisor.
help-never-asked-title = Nobody will ever ask you for your password
help-never-asked = — not Lanyard, not your agency, not by phone or by mail. Do not share it.
help-admins-heading = Your agency's administrators
help-show-contact = Show how to reach them
help-too-many = Too many lookups from your address. Please try again in a minute.
help-no-contact = No contact is listed here for that Provider Code. Ask your supervisor who your Provider Administrator is.
help-back-to-sign-in = Back to sign in

## A2: a locked-out super administrator asks the platform operators; the link they approve.

recover-help-title = Sign-in help
recover-help-intro =
    Your agency administrator can unlock your account or reset your password. If you are your
    agency's super administrator and are locked out, ask the platform operators: once they approve,
    a link to choose a new password goes to your verified email address.
recover-help-submit = Ask the platform operators
recover-asked-title = Request sent
# L2: the same answer whatever was typed.
recover-asked = If this is a locked super administrator account, the platform operators have been asked. Once they approve, a link to choose a new password goes to its verified email address.
recover-back-to-sign-in = Back to sign-in
recover-link-invalid-title = Link not valid
recover-link-invalid = This link has expired or has been used. Ask the platform operators again from the sign-in help page.
# The form behind a mailed link to choose a password: A2's and P3's (its labels and button are
# password-new, password-confirm and account-update; once done, reset-done-title and
# reset-login-again).
recover-title = Choose a new password
recover-password-changed = Your password has been changed and your account unlocked.

## P1: creating an account from an invitation.

register-title = Create your account
# $provider is the provider's (agency's) name.
register-intro = { $provider } invited you. Choose the username you will sign in with, and a password.
register-submit = Create account

## P1, P3: a link that does not work gets one answer, whatever the reason.

invitation-link-invalid = This invitation link has expired, was replaced by a newer one, or was already used. Please ask your agency to send you a new invitation.
invitation-reset-link-invalid = This link has expired, was replaced by a newer one, or was already used. Please ask your agency to send you a new one.
invitation-reset-password-changed = Your password has been changed.

## M1: the maintenance notice (how long, where to read more), answered with 503.

maintenance-title = Down for maintenance
maintenance-heading = Lanyard is down for maintenance
# Followed by the time the service should be back, then maintenance-until-after.
maintenance-until-before = We expect to be back by
maintenance-until-after = .
maintenance-hint = This page is never stored by your browser: once the service is back, reloading shows it.

## M2: the status page. The incidents' and windows' own messages are shown as typed.

status-title = Service status
status-read-more = Read more
status-up = All systems operational
status-incident = Some people may have trouble signing in
status-unavailable = This server cannot reach its database
# Followed by the time the service should be back, then status-expected-back-after.
status-expected-back-before = Expected back by
status-expected-back-after = .
status-next-heading = Next maintenance
# "From <start> to <end>: <message>"; "to <end>" is left out when no end is announced.
status-next-from = From
status-next-to = to
status-recent-heading = Recent incidents and maintenance
status-kind-maintenance = Maintenance
status-kind-incident = Incident
status-ongoing = (ongoing)
# The link an event names (where to read more), in parentheses after its message.
status-more = more
status-nothing = Nothing to report.
status-subscribe = Subscribe (Atom feed)

## An application asked to sign the person out (OpenID Connect RP-initiated logout); its title
## and button are account-sign-out.

logout-confirm-heading = Sign out of Lanyard?
logout-confirm-text = An application asked to sign you out of Lanyard. Your other applications keep their own sessions.

# M3: the Atom feed, in the language of the page it was subscribed from.
status-feed-title = Lanyard service status
status-feed-maintenance = Maintenance
status-feed-maintenance-over = Maintenance over
status-feed-incident = Incident
status-feed-incident-resolved = Incident resolved
status-feed-from = From { $from }
status-feed-until = , expected until { $until }
status-feed-ended = ; ended { $ended }
