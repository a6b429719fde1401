# Pages of the protocol: a refused authorization or sign-out request, the form-post response,
# unified login's own page (U3).

authorize-refused-title = Sign-in request refused
authorize-repeated = The authorization request is invalid: { $name } was given more than once.
authorize-too-long = The authorization request is invalid: { $name } is too long.
authorize-unreadable = The authorization request could not be read.
authorize-no-client-id = The request does not name a client_id.
authorize-unknown-client = The application that sent you here is not registered.
authorize-no-redirect-uri = The request has no redirect_uri.
authorize-unregistered-redirect-uri = The redirect_uri is not registered for this application.
authorize-request-object-refused = The sign-in request is refused: { $detail }.
authorize-pushed-gone = That sign-in request expired or was used. Start again from the application.
authorize-expired = This sign-in request has expired. Please go back to the application and try again.
authorize-too-many-title = Too many sign-in requests
authorize-too-many = Too many sign-in requests are waiting from your network. Please try again in a few minutes.

logout-refused-title = Sign-out request refused
logout-repeated = { $name } was given more than once
logout-too-long = { $name } is too long
logout-malformed = the parameters must be application/x-www-form-urlencoded
logout-unreadable = The logout request could not be read.
logout-foreign-id-token-hint = The id_token_hint is not an ID token issued by this server.
logout-client-id-mismatch = client_id does not match the id_token_hint.
logout-unknown-client = The client_id is not a registered application.
logout-unregistered-redirect-uri = The post_logout_redirect_uri is not registered for this application.
logout-redirect-uri-not-a-url = The post_logout_redirect_uri is not a URL.
logout-done-title = Signed out
logout-done = You have been signed out of Lanyard.

form-post-title = Continuing…
form-post-signing-in = Signing you in…
form-post-continue = Continue

# U3, exactly as the product writes it.
unified-title = Unified login
unified-invalid-credential = Invalid Credential
unified-timed-out = Login failed due to request timeout. Please try again from { $from }
unified-timed-out-unknown = Login failed due to request timeout. Please try again from the application you came from
