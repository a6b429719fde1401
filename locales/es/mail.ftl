# Correos (templates/mail/): cada correo tiene una parte de texto y una parte HTML, generadas a
# partir de los mismos mensajes. Un mensaje escrito en varias líneas conserva sus saltos de línea
# en la parte de texto; la parte HTML une las líneas con espacios. `$provider` es el nombre del
# proveedor (la agencia).
# Un mensaje que termina justo antes de un valor en negrita o de un enlace va seguido de ese valor
# (y de un punto cuando el inglés lo lleva), así que ese valor debe quedar al final de la frase.

## Asuntos (el código los nombra).

# F2: se agregó, usó, cambió o eliminó un segundo factor.
mail-factor-changed-subject = Su segundo factor de Lanyard
# S2: el código que confirma una dirección para restablecer la contraseña.
mail-email-code-subject = Su código de verificación de Lanyard
# S2: a la dirección que fue reemplazada.
mail-address-changed-subject = Se cambió su dirección de correo electrónico en Lanyard
# P3: el personal envió un enlace para restablecer la contraseña.
mail-reset-link-subject = { $provider }: elija una nueva contraseña
# P1: una invitación para crear una cuenta.
mail-invitation-subject = { $provider }: cree su cuenta
# F2: el código por correo que se necesita para eliminar un segundo factor.
mail-second-factor-code-remove-subject = Su código de Lanyard para eliminar un segundo factor
# F2: el código por correo que se necesita para agregar un segundo factor.
mail-second-factor-code-add-subject = Su código de Lanyard para agregar un segundo factor
# A2: un operador de la plataforma aprobó la recuperación de un superadministrador bloqueado.
mail-recovery-link-subject = Su enlace de Lanyard para recuperar la contraseña
# S6: el aviso de que se cambió una contraseña.
mail-password-changed-subject = Se cambió su contraseña de Lanyard
# S4: el código de un solo uso para restablecer la contraseña.
mail-reset-token-subject = Su código de Lanyard para restablecer la contraseña

## Compartidos por varios correos.

# S6, F2: el final de cada aviso de un cambio.
mail-not-you = Si fue usted, no tiene que hacer nada. Si no fue usted, comuníquese ahora con el administrador de su agencia.
# P3, A2: el texto del enlace en la parte HTML; le sigue mail-link-within-hours.
mail-choose-new-password = Elija una nueva contraseña
# P1, P3, A2: sigue al enlace (a su texto) en la parte HTML.
mail-link-within-hours =
    en un plazo de { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    }. El enlace funciona una sola vez.
# P3, A2: la parte de texto; el enlace va en la línea siguiente.
mail-choose-password-here =
    Elija una nueva contraseña aquí en un plazo de { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    } (el enlace funciona una sola vez):
# P3
mail-look-in-spam = Si no le llega un mensaje nuestro, revise su carpeta de correo no deseado.

## Cambió un segundo factor o la dirección para restablecer la contraseña (F2, S2). `$what` es
## una oración completa que da el código, ya en el idioma del correo, como "Se agregó una
## aplicación de autenticación como segundo factor".

mail-account-changed = { $what } en su cuenta de Lanyard de { $provider }.

## S2: el código que confirma una dirección, válido durante `$minutes` minutos.

# Le siguen el código y un punto.
mail-email-code-is = Su código de verificación de Lanyard es
mail-email-code-enter =
    Ingréselo en la página Configuración en un plazo de { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    } para confirmar esta dirección,
    que se usará para restablecer su contraseña en { $provider }. Si usted no lo solicitó, ignore
    este mensaje.

## S4: el código para restablecer la contraseña, válido durante `$minutes` minutos, de un solo uso.

# Le siguen el código y un punto.
mail-reset-token-is = Su código para restablecer la contraseña es
mail-reset-token-enter =
    Ingréselo en la página Cambiar contraseña en un plazo de { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }. Funciona una sola vez.
mail-reset-token-not-you =
    Si usted no pidió restablecer su contraseña en { $provider }, ignore este mensaje;
    su contraseña no cambiará.

## S6: se cambió la contraseña.

mail-password-changed = Se acaba de cambiar su contraseña de Lanyard para { $provider }.

## P1: una invitación, con un enlace válido durante `$hours` horas.

mail-invitation-hello = Hola, { $name }:
mail-invitation-invites = { $provider } le envía una invitación para crear su cuenta en Lanyard.
# La parte de texto; el enlace va en la línea siguiente.
mail-invitation-open-link =
    Abra este enlace en un plazo de { $hours ->
        [one] { $hours } hora
       *[other] { $hours } horas
    } para elegir su nombre de usuario y contraseña (funciona una sola vez):
# El texto del enlace en la parte HTML; le sigue mail-link-within-hours.
mail-invitation-choose = Elija su nombre de usuario y contraseña
mail-invitation-no-longer-works = Si el enlace ya no funciona, pida a { $provider } que le envíe una nueva invitación.
# P4: todos los correos llegan desde la misma dirección de no respuesta y ninguno lleva una contraseña.
mail-invitation-no-password =
    Este mensaje nunca contiene una contraseña y nadie le pedirá nunca la suya.
    Los mensajes posteriores (una nueva invitación, un enlace para restablecer la contraseña) llegan
    desde esta misma dirección: si alguno no le llega, revise su carpeta de correo no deseado.

## P3: el personal envió un enlace para restablecer la contraseña, válido durante `$hours` horas.
## Nunca muestra el nombre de usuario.

mail-reset-link-sent = { $provider } le envió un enlace para elegir una nueva contraseña de su cuenta en Lanyard.
mail-reset-link-no-longer-works =
    Si el enlace ya no funciona, pida a { $provider } que le envíe uno nuevo. Si no esperaba este
    mensaje, puede ignorarlo: su contraseña no cambiará.

## A2: un operador de la plataforma aprobó la recuperación de un superadministrador; un enlace
## válido durante `$hours` horas.

mail-recovery-approved =
    Un operador de la plataforma aprobó su solicitud para recuperar su cuenta de superadministrador
    de { $provider } en Lanyard.
mail-recovery-not-you = Si usted no lo solicitó, avise a los operadores de la plataforma; su contraseña no cambiará.

## F2: el código que se necesita para agregar o eliminar un segundo factor, válido durante
## `$minutes` minutos. `$action` es para qué sirve el código, dado por el código en el idioma del
## correo, como "eliminar su aplicación de autenticación" o "agregar una llave de acceso o llave
## de seguridad".

# Le siguen el código y un punto.
mail-second-factor-code-is = Su código de Lanyard para { $action } es
mail-second-factor-remove-enter =
    Ingréselo en la página Configuración en un plazo de { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }. Si usted no lo solicitó,
    alguien que inició sesión en su cuenta de { $provider } está intentando eliminar su segundo
    factor: cambie su contraseña y avise ahora al administrador de su agencia.
mail-second-factor-add-enter =
    Ingréselo en la página Configuración en un plazo de { $minutes ->
        [one] { $minutes } minuto
       *[other] { $minutes } minutos
    }, junto al nuevo factor. Si usted
    no lo solicitó, alguien que conoce su contraseña está intentando agregar su propio segundo
    factor a su cuenta de { $provider }: cambie su contraseña y avise ahora al administrador de su
    agencia.
