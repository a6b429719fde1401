# Shared by every page: the language switcher, error pages, links that are not whole.

language-name = English
language-switcher = Language
brand = Lanyard

error-bad-request = Bad request
error-busy-title = Lanyard is busy
error-busy = Too many people are signing in at this moment. Please try again in a few seconds.
error-unavailable-title = Lanyard is briefly unavailable
error-unavailable = Lanyard cannot reach its database at this moment. Please try again in a few seconds.
error-internal-title = Something went wrong
error-internal = Lanyard could not complete this request. Please try again in a moment.
error-not-found-title = Page not found
error-not-found = There is nothing at this address.

form-unreadable = The form could not be read.
form-field-too-long = A field of the form is too long.
link-incomplete-title = Incomplete link
link-incomplete = This link is incomplete or damaged. Please go back to the application and try again.

# Shown under a password field while Caps Lock is on (seed 001: "check your Caps Lock").
caps-lock-on = Caps Lock is on. Passwords are case-sensitive.
