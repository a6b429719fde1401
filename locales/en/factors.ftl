# Second factors and passkeys: Settings → Authenticator app (F2, F3), Settings → Passkeys
# (F9, F11), the sign-in's second step (F5, F10) and its setup steps (F1, F4, F9), and the mails
# a change of factors sends.

factor-form-expired = This form expired. Please try again.
factor-unknown-step = Unknown step.
factor-cancel = Cancel
factor-continue = Continue
factor-back-to-settings = Back to Settings
factor-cancel-sign-out = Cancel and sign out
# F2: a change of factors takes a code mailed to the verified address too.
factor-mailed-code-label = Code from your email

factor-app-code-wrong = The code from the app is not correct. Check the time on your phone and try again.
factor-mailed-code-wrong = The code from your email is not correct.
# F2: a provider that requires a second factor lets the app be replaced, never removed.
factor-removal-required = Your provider requires a second factor: replace the app instead.
factor-too-many-changes = Too many changes were started. Please try again later.
factor-too-many-wrong-codes = Too many wrong codes. Start again.

# F2, F9: what a mailed code is for, inside "Your Lanyard code to … is …".
factor-code-action-add-app = add an authenticator app
factor-code-action-remove-app = remove your authenticator app
factor-code-action-add-passkey = add a passkey or security key
factor-code-action-remove-passkey = remove a passkey or security key

# F2, F3, F9: what changed, inside the mail "… for your Lanyard account at …".
factor-changed-app-added = An authenticator app was added as a second factor
factor-changed-app-removed = Your authenticator app was removed: signing in no longer asks for its codes
factor-changed-recovery-codes = New recovery codes were made (the old ones no longer work)
factor-changed-recovery-code-used = A recovery code was used to sign in ({ $left } left)
factor-changed-passkey-added = A passkey or security key was added as a second factor
factor-changed-passkey-removed = A passkey or security key was removed
factor-changed-reset-by-admin = Your second factors were reset by an administrator
factor-changed-address = The address for password resets (and second-factor notices) was changed

authenticator-title = Authenticator app
authenticator-codes-title = Your recovery codes
# F3: the codes are shown once; the sentence is split around its emphasis.
recovery-code-intro-before = Each code signs you in once when your phone is not at hand. They are shown
recovery-code-intro-only-now = only now
recovery-code-intro-after = : keep them somewhere safe.
recovery-code-download = Download as text
authenticator-done = Done
# F4: the sign-in's own setup step.
authenticator-setup-reason = A second factor is required to continue: set up an authenticator app.
authenticator-scan = Scan this code with your app
authenticator-type-key = Or type this key into the app:
authenticator-app-code-label = Code from the app
authenticator-mailed-code-hint-add = We sent it to your verified address, so nobody can add an app to your account without it.
authenticator-confirm = Confirm
authenticator-remove-title = Remove the authenticator app
authenticator-remove-warning = Signing in will no longer ask for a code from your phone, and your recovery codes stop working.
authenticator-mailed-code-hint-remove = We sent it to your verified address, so nobody can remove your second factor without it.
authenticator-remove = Remove the app
authenticator-not-offered = Your provider does not use second factors.
# Followed by the number of recovery codes left.
authenticator-status-enrolled = An authenticator app is set up. Recovery codes left:
authenticator-new-codes = Make new recovery codes
authenticator-replace = Replace the app
authenticator-status-none = No authenticator app is set up. With one, signing in asks for a code from your phone after your password.
authenticator-set-up = Set up an authenticator app
# F2, F3: with an app enrolled, only a session that proved it changes the factors.
authenticator-prove-first = Sign in with a code from your app first: then you can change your second factor.
authenticator-setup-expired = That setup expired. Start again.
authenticator-removed = The authenticator app was removed. You were signed out everywhere else.
authenticator-removal-expired = That removal expired. Start again.

passkey-settings-title = Passkeys and security keys
passkey-setup-title = Set up a passkey or security key
# F1, F9: the provider's policy wants a key of this person.
passkey-setup-intro = Your provider asks you to sign in with a passkey or security key: it cannot be phished. Name the one you will use — this device's passkey, or a key you plug in.
passkey-mailed-code-hint-add = We sent it to your verified address, so nobody can add a key to your account without it.
passkey-mailed-code-hint-remove = We sent it to your verified address, so nobody can remove your key without it.
# Split around the key's name, which is shown in bold.
passkey-adding-before = Adding
passkey-adding-after = : when your browser asks, touch the key or confirm on your device.
passkey-add-key = Add the key
# Followed by a link "Start again".
passkey-no-answer = The key did not answer.
passkey-start-again = Start again
passkey-remove-title = Remove a key
passkey-remove-key = Remove the key
passkey-name = Name
passkey-added-on = Added
passkey-last-used = Last used
passkey-kind = Kind
passkey-name-of = Name of { $name }
passkey-rename = Rename
passkey-never-used = never
# F11: the key's attestation proved a model the provider lists.
passkey-attested = (attested)
passkey-kind-synced = synced passkey
passkey-kind-device-bound = device-bound key
passkey-verifies-you = verifies you
passkey-remove = Remove
passkey-status-none = No passkey or security key is set up. With one, signing in asks you to touch it after your password: it cannot be phished.
passkey-add-title = Add a passkey or security key
passkey-name-placeholder = Work laptop
# F2, F9: with a factor enrolled, only a session that proved one changes the factors.
passkey-prove-first = Sign in with your second factor first: then you can change your keys.
# F12: this deployment (or provider) offers no passkeys.
passkey-not-offered = Passkeys are not offered here.
passkey-added = Added "{ $name }".
passkey-renamed = Renamed.
passkey-removed = Removed. You were signed out everywhere else.
# F11: the provider accepts only listed models for its administrators.
passkey-not-a-model = Your provider accepts only these security keys for administrators: { $names }.
passkey-too-many-keys = You have as many keys as a person may hold. Remove one first.
passkey-keys-full = You have as many keys as a person may hold.
passkey-request-expired = That request expired. Start again.
passkey-mailed-code-wrong = The code from your email is not correct. Start again.
passkey-answer-unreadable = The browser's answer could not be read. Try again.
passkey-answer-refused = The key's answer was not accepted. Try again.
passkey-already-registered = That key is registered already.
passkey-name-required = Name the key, for example "Work laptop".
passkey-name-too-long = Use a shorter name, on one line.
passkey-not-yours = That key is not yours, or is gone.

second-factor-title = Enter your code
second-factor-passkey-title = Use your passkey
second-factor-no-answer = The key did not answer. Try again.
second-factor-no-answer-or-code = The key did not answer. Try again, or enter a code.
second-factor-app-intro = Open your authenticator app and enter the 6-digit code it shows for Lanyard.
second-factor-code-label = Code
# F3: a recovery code is typed where the app's code goes.
second-factor-recovery-hint = No phone at hand? Enter one of your recovery codes instead.
second-factor-code-required = Code is required.
# F5: counted under L3 like a wrong password.
second-factor-code-wrong = The code is not correct.
second-factor-key-wrong = The passkey or security key was not accepted.
second-factor-too-many = Too many attempts. Please try again later.
# F9: the provider's policy wants the key, not a code.
second-factor-key-required = Your provider asks for your passkey or security key.
# F10: the key's ceremony expired or was replaced; nothing was counted.
second-factor-expired = That took too long. Try again.
