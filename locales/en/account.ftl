# The signed-in person's pages: the account page and sign-out (L6), changing the password
# (forced, L4, or at will), Forgot Password? and the reset (S3–S6), Settings (S1, S2).

account-title = Your account
account-signed-in = Signed in
account-provider = Provider
# A3: provider admins see their type on the account page.
account-user-type = User Type
account-user-type-regular = User
account-user-type-provider-admin = Provider Admin
account-user-type-super-admin = Super Admin
account-password-changed = Your password was changed. You have been signed out everywhere else.
# L6: the sign-out button, and the title of its page when the form expired.
account-sign-out = Sign out
account-sign-out-expired = This form expired. Please go back and try again.
account-sign-in-again = Sign in again
account-locked-title = Account locked
account-form-expired = This form expired. Please try again.
account-email = Email
account-submit = Submit
account-update = Update
account-back = Back
account-cancel = Cancel

password-change = Change Password
password-current = Current Password
password-new = New Password
password-confirm = Confirm New Password
# L4: the change required before anything else.
password-change-forced = You must choose a new password before you continue.
password-change-own = Choose a new password. You stay signed in here; everywhere else you will need to sign in again.

# L5: every rule the new password breaks, each with its own message.
password-new-required = New Password is required.
password-too-short = Password must be at least { $min } characters long.
password-too-long = Password must be at most { $max } characters long.
password-needs-upper = Password must contain at least one upper-case letter (A-Z).
password-needs-lower = Password must contain at least one lower-case letter (a-z).
password-needs-digit = Password must contain at least one digit (0-9).
password-needs-special = Password must contain at least one special character (for example ! # $ % &).
password-edge-space = Password must not begin or end with a space.
password-is-login-name = Password must not be the same as the Login Name.
password-too-common = Password is too common. Choose one that is harder to guess.
password-same-as-current = New Password must differ from the current password.
password-reused = New Password must not be one of your last { $count } passwords.
password-current-required = Current Password is required.
password-current-wrong = The current password is not correct.
password-too-many-attempts = Too many attempts. Please try again later.
password-confirm-required = Confirm New Password is required.
password-confirm-mismatch = New Password and Confirm New Password do not match.

# T2: a new Login Name (registering from an invitation).
login-name-too-long = Login Name must be at most { $max } characters.
login-name-control-characters = Login Name must not contain control characters.
login-name-invisible-characters = Login Name must not contain invisible, direction-changing or symbol characters.
login-name-mixed-alphabets = Login Name must not mix alphabets (such as Latin and Cyrillic letters).
register-login-name-taken = This Login Name is taken. Please choose another.

# S3: Forgot Password? (its heading is login-forgot-password).
reset-forgot-title = Forgot Password
reset-forgot-intro = Enter your details. If self password reset is set up for your account, we will email you a password token.
# S4: the token's page.
reset-token-sent = We emailed you a password token. It is valid for { $minutes } minutes and works once.
reset-token = Password Token
reset-token-required = Password Token is required.
# S5: a wrong token counts towards the lock.
reset-wrong-token = The password token is not correct.
reset-resend = Resend
reset-resent = A new password token has been sent. The earlier one no longer works.
# S3: the one answer for every failing cause, whatever it was.
reset-error-title = Password Reset Error
reset-error = Your password could not be reset. Please start again from Forgot Password?.
# S6: done; every session has ended.
reset-done-title = Password changed
reset-done = Your password has been changed. Sign in with your new password.
reset-login-again = Login Again

settings-title = Settings
# S1: self password reset needs the provider's and the user's switch.
settings-self-reset = Self password reset
settings-self-reset-not-enabled = Self password reset is not enabled for your account. Ask your user administrator.
# S2: the verified address, and the steps to set it: Verify, Send Code, Submit, Update.
settings-email-current = Password tokens go to { $email }.
settings-email-none = No address is set up yet.
settings-verify-to-change = To change the address, first confirm your current password.
settings-verify-to-set-up = To set one up, first confirm your current password.
settings-verify = Verify
settings-send-code = Send Code
settings-send-new-code = Send a new code
settings-code = Code
settings-email-confirmed = { $email } is confirmed.
settings-code-sent = We sent a { $digits }-digit code to that address. It is valid for { $minutes } minutes.
settings-saved = Saved. Password tokens will go to this address.
settings-unknown-step = Unknown step.
settings-verify-first = Verify your current password first.
settings-password-wrong = The password is not correct.
settings-email-required = Email is required.
settings-email-invalid = Enter a single email address, like name@example.org.
settings-too-many-codes = Too many codes were sent. Please try again later.
settings-code-expired = The code has expired. Send a new one.
settings-too-many-wrong-codes = Too many wrong codes. Send a new one.
settings-code-wrong = The code is not correct.
settings-confirm-first = Confirm the address with the code first.
# F2: only a session that used its second factor may redirect the address.
settings-second-factor-first = Sign in with a code from your app first: then you can change this address.
settings-second-factor = Second factor
settings-authenticator-link = Authenticator app and recovery codes
settings-passkeys-link = Passkeys and security keys
