# Mails (templates/mail/): every mail has a text part and an HTML part, rendered from the same
# messages. A message written on several lines keeps its line breaks in the text part; the HTML
# part joins the lines with spaces. `$provider` is the provider's (agency's) name.
# A message that ends just before a bold value or a link is followed by that value (and a full
# stop where the English has one), so keep such values last in the sentence.

## Subjects (the code names them).

# F2: a second factor was added, used, changed or removed.
mail-factor-changed-subject = Your Lanyard second factor
# S2: the code that confirms an address for password resets.
mail-email-code-subject = Your Lanyard verification code
# S2: to the address that was replaced.
mail-address-changed-subject = Your Lanyard address was changed
# P3: staff sent a password-reset link.
mail-reset-link-subject = { $provider }: choose a new password
# P1: an invitation to create an account.
mail-invitation-subject = { $provider }: create your account
# F2: the mailed code that removing a second factor takes.
mail-second-factor-code-remove-subject = Your Lanyard code to remove a second factor
# F2: the mailed code that adding a second factor takes.
mail-second-factor-code-add-subject = Your Lanyard code to add a second factor
# A2: a platform operator approved a locked-out super administrator's recovery.
mail-recovery-link-subject = Your Lanyard password recovery link
# S6: the notice that a password was changed.
mail-password-changed-subject = Your Lanyard password was changed
# S4: the password token.
mail-reset-token-subject = Your Lanyard password token

## Shared by several mails.

# S6, F2: the end of every notice of a change.
mail-not-you = If this was you, there is nothing to do. If it was not, contact your agency administrator now.
# P3, A2: the text of the link in the HTML part; mail-link-within-hours follows it.
mail-choose-new-password = Choose a new password
# P1, P3, A2: follows the link (its text) in the HTML part.
mail-link-within-hours = within { $hours } hours. The link works once.
# P3, A2: the text part; the link follows on the next line.
mail-choose-password-here = Choose a new password here within { $hours } hours (the link works once):
# P3
mail-look-in-spam = If a message from us does not arrive, look in your spam or junk folder.

## A second factor or the reset address changed (F2, S2). `$what` is a whole clause the code
## gives, already in the mail's language, such as "An authenticator app was added as a second
## factor" or "The address for password resets (and second-factor notices) was changed".

mail-account-changed = { $what } for your Lanyard account at { $provider }.

## S2: the code that confirms an address, valid `$minutes` minutes.

# Followed by the code and a full stop.
mail-email-code-is = Your Lanyard verification code is
mail-email-code-enter =
    Enter it on the Settings page within { $minutes } minutes to confirm this address for
    password resets at { $provider }. If you did not ask for it, ignore this message.

## S4: the password token, valid `$minutes` minutes, used once.

# Followed by the token and a full stop.
mail-reset-token-is = Your password token is
mail-reset-token-enter = Enter it on the Change Password page within { $minutes } minutes. It works once.
mail-reset-token-not-you =
    If you did not ask to reset your password at { $provider }, ignore this message;
    your password stays as it is.

## S6: the password was changed.

mail-password-changed = Your Lanyard password for { $provider } was just changed.

## P1: an invitation, with a link valid `$hours` hours.

mail-invitation-hello = Hello { $name },
mail-invitation-invites = { $provider } invites you to create your account at Lanyard.
# The text part; the link follows on the next line.
mail-invitation-open-link = Open this link within { $hours } hours to choose your username and password (it works once):
# The text of the link in the HTML part; mail-link-within-hours follows it.
mail-invitation-choose = Choose your username and password
mail-invitation-no-longer-works = If the link no longer works, ask { $provider } to send you a new invitation.
# P4: every mail comes from the one no-reply address, and none carries a password.
mail-invitation-no-password =
    This message never contains a password, and nobody will ever ask you for yours.
    Later messages (a new invitation, a password-reset link) come from this same address: if one
    does not arrive, look in your spam or junk folder.

## P3: staff sent a password-reset link, valid `$hours` hours. It never shows the username.

mail-reset-link-sent = { $provider } sent you a link to choose a new password for your account at Lanyard.
mail-reset-link-no-longer-works =
    If the link no longer works, ask { $provider } to send a new one. If you did not expect this
    message, you can ignore it: your password stays as it is.

## A2: a platform operator approved a super administrator's recovery; a link valid `$hours` hours.

mail-recovery-approved =
    A platform operator approved your request to recover your { $provider } super administrator
    account at Lanyard.
mail-recovery-not-you = If you did not ask for this, tell your platform operators; your password stays as it is.

## F2: the code that adding or removing a second factor takes, valid `$minutes` minutes.
## `$action` is what the code is for, given by the code in the mail's language, such as
## "remove your authenticator app" or "add a passkey or security key".

# Followed by the code and a full stop.
mail-second-factor-code-is = Your Lanyard code to { $action } is
mail-second-factor-remove-enter =
    Enter it on the Settings page within { $minutes } minutes. If you did not ask for it, someone
    who is signed in to your account at { $provider } is trying to remove its second factor: change
    your password and tell your agency administrator now.
mail-second-factor-add-enter =
    Enter it on the Settings page within { $minutes } minutes, beside the new factor. If you
    did not ask for it, someone who knows your password is trying to add their own second factor to
    your account at { $provider }: change your password and tell your agency administrator now.
