# Las páginas de la persona que inició sesión: la página de la cuenta y cerrar sesión (L6),
# el cambio de contraseña (obligatorio, L4, o cuando quiera), ¿Olvidó su contraseña? y el
# restablecimiento (S3–S6), Configuración (S1, S2).

account-title = Su cuenta
account-signed-in = Sesión iniciada
account-provider = Proveedor
# A3: los administradores del proveedor ven su tipo en la página de la cuenta.
account-user-type = Tipo de usuario
account-user-type-regular = Usuario
account-user-type-provider-admin = Administrador de proveedor
account-user-type-super-admin = Superadministrador
account-password-changed = Se cambió su contraseña. Se cerró su sesión en todos los demás lugares.
# L6: el botón para cerrar sesión y el título de su página cuando el formulario venció.
account-sign-out = Cerrar sesión
account-sign-out-expired = Este formulario venció. Vuelva a la página anterior e inténtelo de nuevo.
account-sign-in-again = Iniciar sesión de nuevo
account-locked-title = Cuenta bloqueada
account-form-expired = Este formulario venció. Inténtelo de nuevo.
account-email = Correo electrónico
account-submit = Enviar
account-update = Actualizar
account-back = Volver
account-cancel = Cancelar

password-change = Cambiar contraseña
password-current = Contraseña actual
password-new = Nueva contraseña
password-confirm = Confirmar nueva contraseña
# L4: el cambio obligatorio antes de cualquier otra cosa.
password-change-forced = Debe elegir una nueva contraseña antes de continuar.
password-change-own = Elija una nueva contraseña. Su sesión seguirá iniciada aquí; en todos los demás lugares tendrá que iniciar sesión de nuevo.

# L5: cada regla que incumple la nueva contraseña, cada una con su propio mensaje.
password-new-required = La nueva contraseña es obligatoria.
password-too-short = { $min ->
    [one] La contraseña debe tener al menos { $min } carácter.
   *[other] La contraseña debe tener al menos { $min } caracteres.
}
password-too-long = { $max ->
    [one] La contraseña debe tener como máximo { $max } carácter.
   *[other] La contraseña debe tener como máximo { $max } caracteres.
}
password-needs-upper = La contraseña debe contener al menos una letra mayúscula (A-Z).
password-needs-lower = La contraseña debe contener al menos una letra minúscula (a-z).
password-needs-digit = La contraseña debe contener al menos un dígito (0-9).
password-needs-special = La contraseña debe contener al menos un carácter especial (por ejemplo, ! # $ % &).
password-edge-space = La contraseña no debe empezar ni terminar con un espacio.
password-is-login-name = La contraseña no debe ser igual al nombre de usuario.
password-too-common = La contraseña es demasiado común. Elija una que sea más difícil de adivinar.
password-same-as-current = La nueva contraseña debe ser distinta de la contraseña actual.
password-reused = { $count ->
    [one] La nueva contraseña no debe ser igual a su última contraseña.
   *[other] La nueva contraseña no debe ser ninguna de sus últimas { $count } contraseñas.
}
password-current-required = La contraseña actual es obligatoria.
password-current-wrong = La contraseña actual no es correcta.
password-too-many-attempts = Demasiados intentos. Inténtelo de nuevo más tarde.
password-confirm-required = La confirmación de la nueva contraseña es obligatoria.
password-confirm-mismatch = La nueva contraseña y su confirmación no coinciden.

# T2: un nombre de usuario nuevo (al registrarse desde una invitación).
login-name-too-long = El nombre de usuario debe tener como máximo { $max } caracteres.
login-name-control-characters = El nombre de usuario no debe contener caracteres de control.
login-name-invisible-characters = El nombre de usuario no debe contener caracteres invisibles, caracteres que cambien la dirección del texto ni símbolos.
login-name-mixed-alphabets = El nombre de usuario no debe mezclar alfabetos (como letras latinas y cirílicas).
register-login-name-taken = Este nombre de usuario ya está en uso. Elija otro.

# S3: ¿Olvidó su contraseña? (su encabezado es login-forgot-password).
reset-forgot-title = Contraseña olvidada
reset-forgot-intro = Ingrese sus datos. Si su cuenta tiene configurado el restablecimiento de contraseña de autoservicio, le enviaremos por correo electrónico un código para restablecer la contraseña.
# S4: la página del código.
reset-token-sent = { $minutes ->
    [one] Le enviamos por correo electrónico un código para restablecer la contraseña. Es válido durante { $minutes } minuto y funciona una sola vez.
   *[other] Le enviamos por correo electrónico un código para restablecer la contraseña. Es válido durante { $minutes } minutos y funciona una sola vez.
}
reset-token = Código para restablecer la contraseña
reset-token-required = El código para restablecer la contraseña es obligatorio.
# S5: un código incorrecto cuenta para el bloqueo.
reset-wrong-token = El código para restablecer la contraseña no es correcto.
reset-resend = Reenviar
reset-resent = Se envió un nuevo código para restablecer la contraseña. El anterior ya no funciona.
# S3: la misma respuesta para cualquier causa de error.
reset-error-title = Error al restablecer la contraseña
reset-error = No se pudo restablecer su contraseña. Vuelva a empezar desde "¿Olvidó su contraseña?".
# S6: terminado; todas las sesiones se cerraron.
reset-done-title = Contraseña cambiada
reset-done = Se cambió su contraseña. Inicie sesión con su nueva contraseña.
reset-login-again = Iniciar sesión de nuevo

settings-title = Configuración
# S1: el restablecimiento de autoservicio necesita que lo habiliten el proveedor y el usuario.
settings-self-reset = Restablecimiento de contraseña de autoservicio
settings-self-reset-not-enabled = El restablecimiento de contraseña de autoservicio no está habilitado para su cuenta. Consulte a su administrador de usuarios.
# S2: la dirección verificada y los pasos para configurarla: Verificar, Enviar código, Enviar, Actualizar.
settings-email-current = Los códigos para restablecer la contraseña se envían a { $email }.
settings-email-none = Todavía no hay ninguna dirección configurada.
settings-verify-to-change = Para cambiar la dirección, primero confirme su contraseña actual.
settings-verify-to-set-up = Para configurar una, primero confirme su contraseña actual.
settings-verify = Verificar
settings-send-code = Enviar código
settings-send-new-code = Enviar un código nuevo
settings-code = Código
settings-email-confirmed = La dirección { $email } está confirmada.
settings-code-sent = { $minutes ->
    [one] Le enviamos un código de { $digits } dígitos a esa dirección. Es válido durante { $minutes } minuto.
   *[other] Le enviamos un código de { $digits } dígitos a esa dirección. Es válido durante { $minutes } minutos.
}
settings-saved = Cambios guardados. Los códigos para restablecer la contraseña se enviarán a esta dirección.
settings-unknown-step = Paso desconocido.
settings-verify-first = Primero verifique su contraseña actual.
settings-password-wrong = La contraseña no es correcta.
settings-email-required = El correo electrónico es obligatorio.
settings-email-invalid = Ingrese una sola dirección de correo electrónico, como nombre@example.org.
settings-too-many-codes = Se enviaron demasiados códigos. Inténtelo de nuevo más tarde.
settings-code-expired = El código venció. Envíe uno nuevo.
settings-too-many-wrong-codes = Demasiados códigos incorrectos. Envíe uno nuevo.
settings-code-wrong = El código no es correcto.
settings-confirm-first = Primero confirme la dirección con el código.
# F2: solo una sesión que usó su segundo factor puede cambiar la dirección.
settings-second-factor-first = Primero inicie sesión con un código de su aplicación; después podrá cambiar esta dirección.
settings-second-factor = Segundo factor
settings-authenticator-link = Aplicación de autenticación y códigos de recuperación
settings-passkeys-link = Llaves de acceso y llaves de seguridad
