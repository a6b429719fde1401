# Ayuda, recuperación, invitaciones y las páginas del propio servicio: «¿Problemas para iniciar
# sesión?», la página de ayuda para iniciar sesión y el enlace de recuperación (A2), el registro
# (P1) y el enlace de restablecimiento (P3), el aviso de mantenimiento (M1), la página de estado
# (M2) y la confirmación para cerrar sesión.
# Las partes que terminan en -before / -after / -link rodean un enlace o un valor resaltado en la
# página: tradúzcalas de modo que, unidas en ese orden, formen una sola oración.

## «¿Problemas para iniciar sesión?» (la guía de solución de problemas, con las palabras del
## producto). Su título es login-trouble;
## el enlace al restablecimiento de autoservicio es login-forgot-password.

help-caps-lock-title = Revise la tecla Bloq Mayús.
help-caps-lock = Las contraseñas distinguen entre mayúsculas y minúsculas: con el Bloq Mayús activado, la contraseña que escribe no es su contraseña.
help-provider-code-title = Revise su código de proveedor.
help-provider-code = También distingue entre mayúsculas y minúsculas: escríbalo exactamente como se lo dio su agencia.
help-status-title = ¿Está funcionando Lanyard?
# M2; seguido de un enlace con el texto de help-status-link y luego de help-status-after.
help-status-before = La
help-status-link = página de estado
help-status-after = indica si el servicio no está disponible o está en mantenimiento, y usted puede suscribirse a sus avisos. Si ve una página de mantenimiento, allí se indica cuánto durará; inténtelo de nuevo pasado ese tiempo.
help-locked-title = ¿Su cuenta está bloqueada?
# L3; seguido de un enlace con el texto de login-forgot-password (restablecimiento de autoservicio, S3).
help-locked = Después de tres contraseñas incorrectas seguidas (o la cantidad que haya definido su agencia), su cuenta se bloquea. Solo su administrador de proveedor puede desbloquearla o darle una contraseña temporal; o bien, si su agencia activó el restablecimiento de contraseña de autoservicio, puede elegir usted mismo una nueva contraseña en la página
help-ask-admin-title = Consulte a su administrador de proveedor.
help-ask-admin = Si no sabe quién es, pregúntele a su supervisor.
help-never-asked-title = Nadie le pedirá nunca su contraseña
help-never-asked = — ni Lanyard, ni su agencia, ni por teléfono ni por correo. No la comparta con nadie.
help-admins-heading = Los administradores de su agencia
help-show-contact = Mostrar cómo comunicarse con ellos
help-too-many = Demasiadas consultas desde su dirección. Inténtelo de nuevo en un minuto.
help-no-contact = No hay ningún contacto registrado aquí para ese código de proveedor. Pregúntele a su supervisor quién es su administrador de proveedor.
help-back-to-sign-in = Volver al inicio de sesión

## A2: un superadministrador bloqueado pide ayuda a los operadores de la plataforma; el enlace que aprueban.

recover-help-title = Ayuda para iniciar sesión
recover-help-intro = El administrador de su agencia puede desbloquear su cuenta o restablecer su contraseña. Si usted es el superadministrador de su agencia y su cuenta está bloqueada, pida ayuda a los operadores de la plataforma: cuando aprueben su solicitud, se enviará un enlace para elegir una nueva contraseña a su dirección de correo electrónico verificada.
recover-help-submit = Pedir ayuda a los operadores de la plataforma
recover-asked-title = Solicitud enviada
# L2: la misma respuesta, se haya escrito lo que se haya escrito.
recover-asked = Si se trata de una cuenta de superadministrador bloqueada, se envió la solicitud a los operadores de la plataforma. Cuando la aprueben, se enviará un enlace para elegir una nueva contraseña a la dirección de correo electrónico verificada de esa cuenta.
recover-back-to-sign-in = Volver al inicio de sesión
recover-link-invalid-title = Enlace no válido
recover-link-invalid = Este enlace venció o ya se usó. Vuelva a pedir ayuda a los operadores de la plataforma desde la página de ayuda para iniciar sesión.
# El formulario tras un enlace enviado por correo para elegir una contraseña: el de A2 y el de P3
# (sus etiquetas y su botón son password-new, password-confirm y account-update; al terminar,
# reset-done-title y reset-login-again).
recover-title = Elija una nueva contraseña
recover-password-changed = Se cambió su contraseña y se desbloqueó su cuenta.

## P1: crear una cuenta a partir de una invitación.

register-title = Cree su cuenta
# $provider es el nombre del proveedor (la agencia).
register-intro = { $provider } le envió una invitación. Elija el nombre de usuario con el que iniciará sesión y una contraseña.
register-submit = Crear cuenta

## P1, P3: un enlace que no funciona recibe una sola respuesta, sea cual sea el motivo.

invitation-link-invalid = Este enlace de invitación venció, fue reemplazado por uno más reciente o ya se usó. Pida a su agencia que le envíe una nueva invitación.
invitation-reset-link-invalid = Este enlace venció, fue reemplazado por uno más reciente o ya se usó. Pida a su agencia que le envíe uno nuevo.
invitation-reset-password-changed = Se cambió su contraseña.

## M1: el aviso de mantenimiento (cuánto dura, dónde leer más), con la respuesta 503.

maintenance-title = En mantenimiento
maintenance-heading = Lanyard está en mantenimiento
# Seguido de la hora en que el servicio debería volver y luego de maintenance-until-after.
maintenance-until-before = Esperamos volver a estar disponibles a más tardar el
maintenance-until-after = .
maintenance-hint = Su navegador nunca guarda esta página: cuando el servicio vuelva a estar disponible, bastará con recargarla para verlo.

## M2: la página de estado. Los mensajes de los incidentes y de los mantenimientos se muestran tal como se escribieron.

status-title = Estado del servicio
status-read-more = Más información
status-up = Todos los sistemas funcionan con normalidad
status-incident = Es posible que algunas personas tengan problemas para iniciar sesión
status-unavailable = Este servidor no puede comunicarse con su base de datos
# Seguido de la hora en que el servicio debería volver y luego de status-expected-back-after.
status-expected-back-before = Se prevé que vuelva a estar disponible a más tardar el
status-expected-back-after = .
status-next-heading = Próximo mantenimiento
# «Desde el <inicio> hasta el <fin>: <mensaje>»; «hasta el <fin>» se omite si no se anunció un fin.
status-next-from = Desde el
status-next-to = hasta el
status-recent-heading = Incidentes y mantenimientos recientes
status-kind-maintenance = Mantenimiento
status-kind-incident = Incidente
status-ongoing = (en curso)
# El enlace que indica un evento (dónde leer más), entre paréntesis tras su mensaje.
status-more = más información
status-nothing = No hay nada que informar.
status-subscribe = Suscribirse (canal Atom)

## Una aplicación pidió cerrar la sesión de la persona (cierre de sesión iniciado por la
## aplicación, OpenID Connect); su título y su botón son account-sign-out.

logout-confirm-heading = ¿Cerrar sesión en Lanyard?
logout-confirm-text = Una aplicación solicitó cerrar su sesión en Lanyard. Sus otras aplicaciones conservan sus propias sesiones.

status-feed-title = Estado del servicio de Lanyard
status-feed-maintenance = Mantenimiento
status-feed-maintenance-over = Mantenimiento terminado
status-feed-incident = Incidente
status-feed-incident-resolved = Incidente resuelto
status-feed-from = Desde el { $from }
status-feed-until = , con fin previsto el { $until }
status-feed-ended = ; terminó el { $ended }
