# Segundos factores y llaves de acceso: Configuración → Aplicación de autenticación (F2, F3),
# Configuración → Llaves de acceso (F9, F11), el segundo paso del inicio de sesión (F5, F10) y sus
# pasos de configuración (F1, F4, F9), y los correos que envía un cambio de factores.

factor-form-expired = Este formulario venció. Inténtelo de nuevo.
factor-unknown-step = Paso desconocido.
factor-cancel = Cancelar
factor-continue = Continuar
factor-back-to-settings = Volver a Configuración
factor-cancel-sign-out = Cancelar y cerrar sesión
# F2: un cambio de factores también requiere un código enviado a la dirección verificada.
factor-mailed-code-label = Código enviado a su correo electrónico

factor-app-code-wrong = El código de la aplicación no es correcto. Revise la hora de su teléfono e inténtelo de nuevo.
factor-mailed-code-wrong = El código enviado a su correo electrónico no es correcto.
# F2: si el proveedor exige un segundo factor, la aplicación se puede reemplazar, nunca eliminar.
factor-removal-required = Su proveedor exige un segundo factor: en lugar de eliminar la aplicación, reemplácela.
factor-too-many-changes = Se iniciaron demasiados cambios. Inténtelo de nuevo más tarde.
factor-too-many-wrong-codes = Demasiados códigos incorrectos. Vuelva a empezar.

# F2, F9: para qué es un código enviado por correo, dentro de "Su código de Lanyard para … es …".
factor-code-action-add-app = agregar una aplicación de autenticación
factor-code-action-remove-app = eliminar su aplicación de autenticación
factor-code-action-add-passkey = agregar una llave de acceso o llave de seguridad
factor-code-action-remove-passkey = eliminar una llave de acceso o llave de seguridad

# F2, F3, F9: qué cambió, dentro del correo "… en su cuenta de Lanyard de …".
factor-changed-app-added = Se agregó una aplicación de autenticación como segundo factor
factor-changed-app-removed = Se eliminó su aplicación de autenticación: al iniciar sesión ya no se le pedirán sus códigos
factor-changed-recovery-codes = Se generaron nuevos códigos de recuperación (los anteriores ya no funcionan)
factor-changed-recovery-code-used = Se usó un código de recuperación para iniciar sesión ({ $left ->
        [one] queda { $left }
       *[other] quedan { $left }
    })
factor-changed-passkey-added = Se agregó una llave de acceso o llave de seguridad como segundo factor
factor-changed-passkey-removed = Se eliminó una llave de acceso o llave de seguridad
factor-changed-reset-by-admin = Un administrador restableció sus segundos factores
factor-changed-address = Se cambió la dirección de correo electrónico para restablecer la contraseña (y para los avisos de segundo factor)

authenticator-title = Aplicación de autenticación
authenticator-codes-title = Sus códigos de recuperación
# F3: los códigos se muestran una sola vez; la oración se divide alrededor del texto resaltado.
recovery-code-intro-before = Cada código le permite iniciar sesión una vez cuando no tenga su teléfono a mano. Se muestran
recovery-code-intro-only-now = solo ahora
recovery-code-intro-after = : guárdelos en un lugar seguro.
recovery-code-download = Descargar como texto
authenticator-done = Listo
# F4: el paso de configuración propio del inicio de sesión.
authenticator-setup-reason = Se requiere un segundo factor para continuar: configure una aplicación de autenticación.
authenticator-scan = Escanee este código con su aplicación
authenticator-type-key = O escriba esta clave en la aplicación:
authenticator-app-code-label = Código de la aplicación
authenticator-mailed-code-hint-add = Se lo enviamos a su dirección verificada, para que nadie pueda agregar una aplicación a su cuenta sin él.
authenticator-confirm = Confirmar
authenticator-remove-title = Eliminar la aplicación de autenticación
authenticator-remove-warning = Al iniciar sesión ya no se le pedirá un código de su teléfono, y sus códigos de recuperación dejarán de funcionar.
authenticator-mailed-code-hint-remove = Se lo enviamos a su dirección verificada, para que nadie pueda eliminar su segundo factor sin él.
authenticator-remove = Eliminar la aplicación
authenticator-not-offered = Su proveedor no utiliza segundos factores.
# Seguido del número de códigos de recuperación que quedan.
authenticator-status-enrolled = Hay una aplicación de autenticación configurada. Códigos de recuperación restantes:
authenticator-new-codes = Generar nuevos códigos de recuperación
authenticator-replace = Reemplazar la aplicación
authenticator-status-none = No hay ninguna aplicación de autenticación configurada. Con una, al iniciar sesión se le pedirá un código de su teléfono después de ingresar su contraseña.
authenticator-set-up = Configurar una aplicación de autenticación
# F2, F3: con una aplicación inscrita, solo una sesión que la comprobó cambia los factores.
authenticator-prove-first = Primero inicie sesión con un código de su aplicación; después podrá cambiar su segundo factor.
authenticator-setup-expired = El proceso de configuración venció. Vuelva a empezar.
authenticator-removed = Se eliminó la aplicación de autenticación. Se cerró su sesión en todos los demás lugares.
authenticator-removal-expired = Esa solicitud para eliminar la aplicación venció. Vuelva a empezar.

passkey-settings-title = Llaves de acceso y llaves de seguridad
passkey-setup-title = Configurar una llave de acceso o llave de seguridad
# F1, F9: la política del proveedor exige una llave a esta persona.
passkey-setup-intro = Su proveedor le pide que inicie sesión con una llave de acceso o llave de seguridad: ningún sitio fraudulento puede robarla. Asigne un nombre a la que usará: la llave de acceso de este dispositivo o una llave que conecte a su equipo.
passkey-mailed-code-hint-add = Se lo enviamos a su dirección verificada, para que nadie pueda agregar una llave a su cuenta sin él.
passkey-mailed-code-hint-remove = Se lo enviamos a su dirección verificada, para que nadie pueda eliminar su llave sin él.
# Dividido alrededor del nombre de la llave, que se muestra en negrita.
passkey-adding-before = Se está agregando
passkey-adding-after = : cuando su navegador se lo pida, toque la llave o confirme en su dispositivo.
passkey-add-key = Agregar la llave
# Seguido de un enlace "Vuelva a empezar".
passkey-no-answer = La llave no respondió.
passkey-start-again = Vuelva a empezar
passkey-remove-title = Eliminar una llave
passkey-remove-key = Eliminar la llave
passkey-name = Nombre
passkey-added-on = Agregada
passkey-last-used = Último uso
passkey-kind = Tipo
passkey-name-of = Nombre de la llave { $name }
passkey-rename = Cambiar nombre
passkey-never-used = nunca
# F11: la certificación de la llave comprobó un modelo que el proveedor acepta.
passkey-attested = (certificada)
passkey-kind-synced = llave de acceso sincronizada
passkey-kind-device-bound = llave vinculada al dispositivo
passkey-verifies-you = verifica su identidad
passkey-remove = Eliminar
passkey-status-none = No hay ninguna llave de acceso ni llave de seguridad configurada. Con una, al iniciar sesión se le pedirá que la toque después de ingresar su contraseña: ningún sitio fraudulento puede robarla.
passkey-add-title = Agregar una llave de acceso o llave de seguridad
passkey-name-placeholder = Computadora portátil del trabajo
# F2, F9: con un factor inscrito, solo una sesión que lo comprobó cambia los factores.
passkey-prove-first = Primero inicie sesión con su segundo factor; después podrá cambiar sus llaves.
# F12: este servicio (o proveedor) no ofrece llaves de acceso.
passkey-not-offered = Aquí no se ofrecen llaves de acceso.
passkey-added = Se agregó "{ $name }".
passkey-renamed = Se cambió el nombre.
passkey-removed = Se eliminó la llave. Se cerró su sesión en todos los demás lugares.
# F11: para sus administradores, el proveedor solo acepta los modelos que indica.
passkey-not-a-model = Para los administradores, su proveedor solo acepta estas llaves de seguridad: { $names }.
passkey-too-many-keys = Ya tiene el número máximo de llaves permitido por persona. Primero elimine una.
passkey-keys-full = Ya tiene el número máximo de llaves permitido por persona.
passkey-request-expired = Esa solicitud venció. Vuelva a empezar.
passkey-mailed-code-wrong = El código enviado a su correo electrónico no es correcto. Vuelva a empezar.
passkey-answer-unreadable = No se pudo leer la respuesta del navegador. Inténtelo de nuevo.
passkey-answer-refused = No se aceptó la respuesta de la llave. Inténtelo de nuevo.
passkey-already-registered = Esa llave ya está registrada.
passkey-name-required = Asigne un nombre a la llave, por ejemplo, "Computadora portátil del trabajo".
passkey-name-too-long = Use un nombre más corto, en una sola línea.
passkey-not-yours = Esa llave no es suya o ya no existe.

second-factor-title = Ingrese su código
second-factor-passkey-title = Use su llave de acceso
second-factor-no-answer = La llave no respondió. Inténtelo de nuevo.
second-factor-no-answer-or-code = La llave no respondió. Inténtelo de nuevo o ingrese un código.
second-factor-app-intro = Abra su aplicación de autenticación e ingrese el código de 6 dígitos que muestra para Lanyard.
second-factor-code-label = Código
# F3: el código de recuperación se escribe donde va el código de la aplicación.
second-factor-recovery-hint = ¿No tiene su teléfono a mano? Ingrese en su lugar uno de sus códigos de recuperación.
second-factor-code-required = El código es obligatorio.
# F5: se cuenta según L3, como una contraseña incorrecta.
second-factor-code-wrong = El código no es correcto.
second-factor-key-wrong = No se aceptó la llave de acceso o llave de seguridad.
second-factor-too-many = Demasiados intentos. Inténtelo de nuevo más tarde.
# F9: la política del proveedor exige la llave, no un código.
second-factor-key-required = Su proveedor pide su llave de acceso o llave de seguridad.
# F10: la ceremonia de la llave venció o fue reemplazada; no se contó nada.
second-factor-expired = Se agotó el tiempo. Inténtelo de nuevo.
