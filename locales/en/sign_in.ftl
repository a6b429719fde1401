# The sign-in page (L1–L3) and signing in with a passkey (F10).

login-title = Sign in
login-name = Login Name
login-password = Password
login-provider-code = Provider Code
login-submit = Sign in
login-use-passkey = Use a passkey instead
login-forgot-password = Forgot Password?
login-trouble = Trouble signing in?
login-locked-out-super-admin = Locked-out super administrator?

login-name-required = Login Name is required.
login-password-required = Password is required.
login-provider-code-required = Provider Code is required.

# L2, exactly: the one answer for every wrong login name, password or provider code.
login-invalid-credentials = Invalid Credentials
# L3, exactly: every attempt at a locked account, right password or not.
login-account-locked = Your account has been locked. Please contact your agency administrator.
login-form-expired = Your sign-in form expired. Please try again.
login-too-many = Too many sign-in attempts. Please wait a minute and try again.

passkey-sign-in-title = Sign in with your passkey
passkey-sign-in-browser-asks = Your browser will ask for your passkey or security key.
passkey-sign-in-start = Use your passkey or security key
passkey-sign-in-no-answer = The key did not answer. Try again, or sign in with your password.
passkey-sign-in-with-password = Sign in with your password
passkey-sign-in-expired = That took too long. Please try again.
passkey-sign-in-unavailable = Passkeys cannot be used here. Sign in with your password.
# F10: the key signed but did not check its holder, so it is one factor of two.
passkey-sign-in-password-too = Your key did not check your PIN or fingerprint, so enter your password as well.
