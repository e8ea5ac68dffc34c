"""The Spanish words of every notification (`templates.KINDS` in English): chosen when the
recipient's profile `locale` is `es`. Same values, same parts; an organisation's own override of
a part stays as the organisation wrote it, in whichever language."""

from __future__ import annotations

# kind -> (subject, text, sms or None)
KINDS_ES: dict[str, tuple[str, str, str | None]] = {
    "match_proposed": (
        "Tienes un nuevo emparejamiento de mentoría para revisar",
        ("Hola, $recipient_name:\n\n"
        "$organisation te propone a $other_name como tu $other_role. Mira su perfil y acepta el "
        "emparejamiento si te parece bien: $app_url/matches/$match_id\n\n"
        "La mentoría empieza cuando los dos lo aceptéis."),
        "$organisation: tienes un nuevo emparejamiento de mentoría con $other_name. Abre ementor para aceptarlo.",
    ),
    "match_accepted": (
        "Tu emparejamiento de mentoría está confirmado",
        ("Hola, $recipient_name:\n\n"
        "$other_name y tú lo habéis aceptado: vuestra mentoría ha empezado. Saluda en vuestra conversación "
        "de ementor y acordad una primera sesión: $app_url/matches/$match_id/conversation"),
        "$organisation: tu mentoría con $other_name ha empezado. Saluda en ementor.",
    ),
    "match_declined": (
        "Un emparejamiento de mentoría propuesto no seguirá adelante",
        ("Hola, $recipient_name:\n\n"
        "El emparejamiento propuesto con $other_name no seguirá adelante.\n"
        "Motivo: $reason\n\n"
        "Tu coordinador buscará otro emparejamiento para ti."),
        None,
    ),
    "match_ended": (
        "Tu mentoría ha terminado",
        ("Hola, $recipient_name:\n\n"
        "Tu mentoría con $other_name ha terminado. $reason\n\n"
        "Gracias por participar."),
        None,
    ),
    "message_received": (
        "Tienes un mensaje nuevo de tu $other_role",
        ("Hola, $recipient_name:\n\n"
        "$other_name, tu $other_role, te ha enviado un mensaje. Léelo y responde en ementor: $app_url/matches/$match_id/conversation"),
        "$organisation: tienes un mensaje nuevo de tu $other_role en ementor.",
    ),
    "more_messages_received": (
        "Tienes mensajes nuevos de tu $other_role",
        ("Hola, $recipient_name:\n\n"
        "$other_name, tu $other_role, te ha enviado más mensajes desde nuestro último aviso. Léelos y responde en "
        "ementor: $app_url/matches/$match_id/conversation"),
        "$organisation: tienes mensajes nuevos de tu $other_role en ementor.",
    ),
    "message_held": (
        "Un mensaje espera tu revisión",
        ("Hola:\n\n"
        "Un mensaje de $sender_name para $receiver_name se ha retenido para revisarlo por: $reasons.\n"
        "No llegará a $receiver_name hasta que un coordinador lo apruebe. Revísalo en la cola de "
        "moderación: $app_url/staff/moderation"),
        None,
    ),
    "session_scheduled": (
        "Sesión de mentoría reservada para el $starts_at",
        ("Hola, $recipient_name:\n\n"
        "Tienes una sesión de mentoría con $other_name el $starts_at (hasta el $ends_at).\n"
        "Adjuntamos la invitación del calendario. Cuando llegue la hora, abre ementor para entrar: $app_url/matches/$match_id/sessions"),
        "$organisation: sesión con $other_name el $starts_at. Abre ementor para entrar.",
    ),
    "session_rescheduled": (
        "Sesión de mentoría movida al $starts_at",
        ("Hola, $recipient_name:\n\n"
        "Tu sesión de mentoría con $other_name ha pasado del $previous_starts_at al $starts_at "
        "(hasta el $ends_at).\n"
        "Adjuntamos la invitación actualizada. Cuando llegue la hora, abre ementor para entrar: $app_url/matches/$match_id/sessions"),
        "$organisation: sesión con $other_name movida al $starts_at.",
    ),
    "session_cancelled": (
        "Sesión de mentoría del $starts_at cancelada",
        ("Hola, $recipient_name:\n\n"
        "Tu sesión de mentoría con $other_name del $starts_at se ha cancelado. $reason\n"
        "La actualización adjunta la quita de tu calendario."),
        "$organisation: tu sesión con $other_name del $starts_at se ha cancelado.",
    ),
    "session_reminder": (
        "Recordatorio: sesión de mentoría el $starts_at",
        ("Hola, $recipient_name:\n\n"
        "Tu sesión de mentoría con $other_name empieza dentro de $minutes_before minutos, el $starts_at.\n"
        "Abre ementor para entrar: $app_url/matches/$match_id/sessions"),
        "$organisation: sesión con $other_name en $minutes_before min ($starts_at). Abre ementor para entrar.",
    ),
    "goal_completed": (
        "Se ha cumplido un objetivo",
        ("Hola, $recipient_name:\n\n"
        "Se ha marcado como cumplido un objetivo de tu mentoría con $other_name. ¡Enhorabuena! "
        "Mira vuestros objetivos en ementor: $app_url/matches/$match_id/goals"),
        None,
    ),
    "nudge": (
        "¿Qué tal va tu mentoría?",
        ("Hola, $recipient_name:\n\n"
        "Han pasado $idle_days días desde el último mensaje entre $other_name y tú. "
        "Un saludo breve mantiene la conversación: $app_url/matches/$match_id/conversation"),
        "$organisation: han pasado $idle_days días desde que hablaste con $other_name. Saluda en ementor.",
    ),
    "relationship_at_risk": (
        "Mantén viva tu mentoría",
        ("Hola, $recipient_name:\n\n"
        "Hay un poco de silencio entre $other_name y tú. Un mensaje breve, o una sesión en la agenda, "
        "mantiene viva vuestra mentoría: $app_url/matches/$match_id/conversation"),
        None,
    ),
    "survey_requested": (
        "Una pregunta rápida para ti",
        ("Hola, $recipient_name:\n\n"
        "¿Qué tal va tu mentoría? A $organisation le gustaría saberlo: unas preguntas rápidas, menos de "
        "un minuto. Elige un número del 1 al 5 en cada una:\n\n"
        "$app_url/surveys/$survey_id\n\n"
        "Tus respuestas ayudan al programa. Solo el equipo del programa lee los comentarios que dejes."),
        None,
    ),
    "nudge_escalation": (
        "Un emparejamiento de mentoría se ha quedado en silencio",
        ("Hola:\n\n"
        "$mentor_name (mentor) y $mentee_name (mentorado) no se han escrito en $idle_days días, y un "
        "recordatorio a los dos hace $nudged_days_ago días no lo cambió. Quizá quieras hablar con ellos: $app_url"),
        None,
    ),
}

SIGN_OFF_ES = "El equipo de mentoría de $organisation"
ROLES_ES = {"mentor": "mentor", "mentee": "mentorado", "match": "pareja de mentoría"}
YOUR_ES = "tu {role}"
SESSION_WITH_ES = "Sesión de mentoría con {name}"
SESSION_DESCRIPTION_ES = "Tu sesión de mentoría de {organisation}. Abre ementor para entrar: {app_url}"

DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")
