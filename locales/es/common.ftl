# Compartido por todas las páginas: el selector de idioma, las páginas de error, los enlaces incompletos.

language-name = Español
language-switcher = Idioma
brand = Lanyard

error-bad-request = Solicitud no válida
error-busy-title = Lanyard está ocupado
error-busy = En este momento hay demasiadas personas iniciando sesión. Inténtelo de nuevo en unos segundos.
error-unavailable-title = Lanyard no está disponible momentáneamente
error-unavailable = Lanyard no puede comunicarse con su base de datos en este momento. Inténtelo de nuevo en unos segundos.
error-internal-title = Algo salió mal
error-internal = Lanyard no pudo completar esta solicitud. Inténtelo de nuevo en un momento.
error-not-found-title = Página no encontrada
error-not-found = No hay nada en esta dirección.

form-unreadable = No se pudo leer el formulario.
form-field-too-long = Un campo del formulario es demasiado largo.
link-incomplete-title = Enlace incompleto
link-incomplete = Este enlace está incompleto o dañado. Vuelva a la aplicación e inténtelo de nuevo.

caps-lock-on = Bloq Mayús está activado. Las contraseñas distinguen entre mayúsculas y minúsculas.
