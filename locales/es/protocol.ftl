# Páginas del protocolo: una solicitud de autorización o de cierre de sesión rechazada, la
# respuesta form-post, la página propia del inicio de sesión unificado (U3).
# Los nombres de parámetros (client_id, redirect_uri…) no se traducen: son del protocolo.

authorize-refused-title = Solicitud de inicio de sesión rechazada
authorize-repeated = La solicitud de autorización no es válida: { $name } se envió más de una vez.
authorize-too-long = La solicitud de autorización no es válida: { $name } es demasiado largo.
authorize-unreadable = No se pudo leer la solicitud de autorización.
authorize-no-client-id = La solicitud no indica un client_id.
authorize-unknown-client = La aplicación que lo envió aquí no está registrada.
authorize-no-redirect-uri = La solicitud no incluye un redirect_uri.
authorize-unregistered-redirect-uri = El redirect_uri no está registrado para esta aplicación.
authorize-request-object-refused = Se rechazó la solicitud de inicio de sesión: { $detail }.
authorize-pushed-gone = Esa solicitud de inicio de sesión venció o ya se usó. Vuelva a empezar desde la aplicación.
authorize-expired = Esta solicitud de inicio de sesión venció. Vuelva a la aplicación e inténtelo de nuevo.
authorize-too-many-title = Demasiadas solicitudes de inicio de sesión
authorize-too-many = Hay demasiadas solicitudes de inicio de sesión pendientes desde su red. Inténtelo de nuevo en unos minutos.

logout-refused-title = Solicitud de cierre de sesión rechazada
logout-repeated = { $name } se envió más de una vez.
logout-too-long = { $name } es demasiado largo.
logout-malformed = Los parámetros deben estar en formato application/x-www-form-urlencoded.
logout-unreadable = No se pudo leer la solicitud de cierre de sesión.
logout-foreign-id-token-hint = El id_token_hint no es un token de identidad emitido por este servidor.
logout-client-id-mismatch = El client_id no coincide con el id_token_hint.
logout-unknown-client = El client_id no es una aplicación registrada.
logout-unregistered-redirect-uri = El post_logout_redirect_uri no está registrado para esta aplicación.
logout-redirect-uri-not-a-url = El post_logout_redirect_uri no es una URL.
logout-done-title = Sesión cerrada
logout-done = Se cerró su sesión en Lanyard.

form-post-title = Continuando…
form-post-signing-in = Iniciando sesión…
form-post-continue = Continuar

unified-title = Inicio de sesión unificado
unified-invalid-credential = Credencial no válida
unified-timed-out = No se pudo iniciar sesión porque se agotó el tiempo de espera de la solicitud. Inténtelo de nuevo desde { $from }
unified-timed-out-unknown = No se pudo iniciar sesión porque se agotó el tiempo de espera de la solicitud. Inténtelo de nuevo desde la aplicación de la que vino
