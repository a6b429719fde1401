# La página de inicio de sesión (L1–L3) y el inicio de sesión con llave de acceso (F10).

login-title = Iniciar sesión
login-name = Nombre de usuario
login-password = Contraseña
login-provider-code = Código de proveedor
login-submit = Iniciar sesión
login-use-passkey = Usar una llave de acceso en su lugar
login-forgot-password = ¿Olvidó su contraseña?
login-trouble = ¿Problemas para iniciar sesión?
login-locked-out-super-admin = ¿Es superadministrador y su cuenta está bloqueada?

login-name-required = El nombre de usuario es obligatorio.
login-password-required = La contraseña es obligatoria.
login-provider-code-required = El código de proveedor es obligatorio.

# L2: la misma respuesta para cualquier nombre de usuario, contraseña o código de proveedor incorrecto.
login-invalid-credentials = Credenciales no válidas
# L3: en cada intento con una cuenta bloqueada, con la contraseña correcta o no.
login-account-locked = Su cuenta ha sido bloqueada. Comuníquese con el administrador de su agencia.
login-form-expired = Su formulario de inicio de sesión venció. Inténtelo de nuevo.
login-too-many = Demasiados intentos de inicio de sesión. Espere un minuto e inténtelo de nuevo.

passkey-sign-in-title = Inicie sesión con su llave de acceso
passkey-sign-in-browser-asks = Su navegador le pedirá su llave de acceso o llave de seguridad.
passkey-sign-in-start = Usar su llave de acceso o llave de seguridad
passkey-sign-in-no-answer = La llave no respondió. Inténtelo de nuevo o inicie sesión con su contraseña.
passkey-sign-in-with-password = Iniciar sesión con su contraseña
passkey-sign-in-expired = Se agotó el tiempo. Inténtelo de nuevo.
passkey-sign-in-unavailable = Aquí no se pueden usar llaves de acceso. Inicie sesión con su contraseña.
passkey-sign-in-password-too = Su llave no comprobó su PIN ni su huella digital, así que ingrese también su contraseña.
