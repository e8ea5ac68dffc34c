"""The words of profiles' own emails (sign-in link, a participant's or a member of staff's invitation,
guardian consent, a guardian's session invitation and its cancellation) in the recipient's language.

A person's profile `locale`, or a member of staff's (chosen when invited), chooses (`es`: Spanish;
anything else: English). A guardian is written to in the language of the child's profile. Dates are
in the reader's language and in the person's own time zone. No nameko, no MongoDB: tested directly (tests/unit/profiles/test_mail_words.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from . import consent

DAYS_ES = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")
SUPERVISION_ES = (
    ("Los mensajes entre tu hijo o hija y su mentor se moderan: todo lo que tenga datos de contacto, enlaces o "
    "frases preocupantes se retiene para que un coordinador lo revise antes de entregarlo."),
    "El contacto se queda en la plataforma: nunca se comparten teléfonos ni correos electrónicos entre ellos.",
    "Las videollamadas se reservan en la plataforma, y el enlace solo funciona en el horario reservado.",
    "La organización comprueba los antecedentes de los mentores de menores antes de emparejarlos.",
)
STAFF_ROLES_ES = {"admin": "administrador/a", "coordinator": "coordinador/a",
                  "safeguarding_lead": "responsable de protección de menores"}


def spanish(locale: str | None) -> bool:
    return (locale or "").lower().replace("_", "-").split("-")[0] == "es"


def long_date(moment: datetime, locale: str | None, timezone: str | None = None) -> str:
    """'5 March 2025' or '5 de marzo de 2025', on the calendar of the person's time zone."""
    if moment.tzinfo is not None and timezone:
        try:
            moment = moment.astimezone(ZoneInfo(timezone))
        except (KeyError, ValueError):  # an unknown zone: the date as stored
            pass
    if spanish(locale):
        return f"{moment.day} de {MONTHS_ES[moment.month - 1]} de {moment.year}"
    return f"{moment.day} {moment:%B %Y}"


def sign_in(locale: str | None, *, name: str, organisation: str, minutes: int, url: str) -> tuple[str, str]:
    if spanish(locale):
        return (f"Entra en {organisation} en ementor",
                (f"Hola, {name}:\n\nUsa este enlace para entrar (funciona una vez, durante {minutes} minutos):\n\n"
                f"{url}\n\nSi no has pedido entrar, no hagas caso de este correo.\n"))
    return (f"Sign in to {organisation} on ementor",
            (f"Hello {name},\n\nUse this link to sign in (it works once, within {minutes} minutes):\n\n"
            f"{url}\n\nIf you did not ask to sign in, ignore this email.\n"))


def staff_invitation(locale: str | None, *, name: str, organisation: str, role: str, url: str,
                     days: int) -> tuple[str, str]:
    """A member of staff added by an admin: their role, and a link to accept and sign in."""
    if spanish(locale):
        return (f"Te invitan a {organisation} en ementor",
                (f"Hola, {name}:\n\nTe han dado de alta en {organisation} como {STAFF_ROLES_ES[role]}.\n"
                 f"Acepta la invitación y entra (el enlace funciona una vez, durante {days} días):\n\n{url}\n"))
    return (f"You are invited to {organisation} on ementor",
            (f"Hello {name},\n\nYou have been added to {organisation} as {role.replace('_', ' ')}.\n"
             f"Accept the invitation and sign in (the link works once, for {days} days):\n\n{url}\n"))


def invitation(locale: str | None, *, name: str, organisation: str, role: str, url: str, sign_in_url: str,
               days: int) -> tuple[str, str]:
    """A mentor or mentee added by their organisation: what ementor is for them, and a link to sign in."""
    if spanish(locale):
        what = "encontrar un mentor o una mentora" if role == "mentee" else "ser mentor o mentora"
        return (f"{organisation} te invita a su programa de mentoría en ementor",
                (f"Hola, {name}:\n\n{organisation} te ha dado de alta en ementor para {what}.\n\n"
                 f"Entra con este enlace (funciona una vez, durante {days} días):\n\n{url}\n\n"
                 f"Después, entra cuando quieras en {sign_in_url} con esta dirección de correo: te enviaremos "
                 "un enlace cada vez.\n\nSi no esperabas este correo, no hagas caso: no pasa nada si no entras.\n"))
    what = "find a mentor" if role == "mentee" else "be a mentor"
    return (f"{organisation} invites you to its mentoring on ementor",
            (f"Hello {name},\n\n{organisation} has added you to ementor to {what}.\n\n"
             f"Sign in with this link (it works once, for {days} days):\n\n{url}\n\n"
             f"After that, sign in at {sign_in_url} with this email address whenever you like: we email you a "
             "link each time.\n\nIf you did not expect this email, ignore it: nothing happens unless you sign in.\n"))


def consent_request(locale: str | None, *, guardian: str, child: str, organisation: str, programme: str | None,
                    url: str, expires_at: datetime, timezone: str | None) -> tuple[str, str]:
    first = consent.first_name(child)
    until = long_date(expires_at, locale, timezone)
    within = f" ({programme})" if programme else ""
    if spanish(locale):
        supervision = "\n".join(f"- {line}" for line in SUPERVISION_ES)
        return (f"Consentimiento para que {first} participe en la mentoría de {organisation}",
                (f"Estimado/a {guardian}:\n\n{organisation} quiere que {first} participe en una mentoría en "
                f"línea{within}. Como es menor de 18 años, primero necesitamos tu consentimiento.\n\n"
                f"Cómo se supervisa el contacto:\n{supervision}\n\nDa o niega tu consentimiento aquí (el enlace "
                f"funciona una vez, hasta el {until}):\n{url}\n\nSi no esperabas este correo, puedes ignorarlo: "
                "no pasa nada sin tu consentimiento.\n"))
    supervision = "\n".join(f"- {line}" for line in consent.SUPERVISION)
    return (f"Consent for {first} to join {organisation}'s mentoring",
            (f"Dear {guardian},\n\n{organisation} would like {first} to take part in online mentoring{within}. "
            f"Because they are under 18, we need your consent first.\n\nHow contact is supervised:\n{supervision}\n\n"
            f"Give or refuse consent here (the link works once, until {until}):\n{url}\n\nIf you did not expect "
            "this email, you can ignore it: nothing happens without your consent.\n"))


def consent_confirmation(locale: str | None, *, guardian: str, child: str, organisation: str,
                         programme: str | None, url: str) -> tuple[str, str]:
    first = consent.first_name(child)
    within = f" ({programme})" if programme else ""
    if spanish(locale):
        return (f"Consentimiento registrado para {first}",
                (f"Estimado/a {guardian}:\n\nGracias: has dado tu consentimiento para que {first} participe en la "
                f"mentoría de {organisation}{within}.\n\nPuedes retirarlo en cualquier momento; la mentoría se "
                f"detiene al instante:\n{url}\n"))
    return (f"Consent recorded for {first}",
            (f"Dear {guardian},\n\nThank you: you gave consent for {first} to take part in {organisation}'s "
            f"mentoring{within}.\n\nYou can withdraw consent at any time; mentoring stops at once:\n{url}\n"))


def _zone(timezone: str | None) -> tuple[ZoneInfo, str]:
    try:
        return ZoneInfo(timezone or "UTC"), timezone or "UTC"
    except Exception:  # noqa: BLE001 - a zone the system does not know: UTC, said so
        return ZoneInfo("UTC"), "UTC"


def _day(moment: datetime, locale: str | None, year: bool = True) -> str:
    """'Thursday 10 December 2026' or 'jueves 10 de diciembre de 2026' (without the year for a subject)."""
    if spanish(locale):
        day = f"{DAYS_ES[moment.weekday()]} {moment.day} de {MONTHS_ES[moment.month - 1]}"
        return f"{day} de {moment.year}" if year else day
    return f"{moment:%A %d %B %Y}" if year else f"{moment:%A %d %B}"


def guardian_label(locale: str | None) -> str:
    """What follows the guardian's name in the video call, in the child's language (profiles hands it to video,
    so the call shows what the invitation says). Spanish "responsable legal" fits a parent and a legal
    guardian alike, and needs no "/a"."""
    return "responsable legal" if spanish(locale) else "guardian"


def _when(starts_at: datetime, ends_at: datetime, locale: str | None, timezone: str | None) -> tuple[datetime, str]:
    """(the start in the reader's zone, 'Thursday 10 December 2026, 16:00–16:45 (Europe/London)')."""
    zone, zone_name = _zone(timezone)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    return start, f"{_day(start, locale)}, {start:%H:%M}–{end:%H:%M} ({zone_name})"


def session_invitation(locale: str | None, *, guardian: str, child: str, mentor: str | None,
                       organisation: str | None, starts_at: datetime, ends_at: datetime, timezone: str | None,
                       url: str, moved: bool = False) -> tuple[str, str]:
    """A guardian's own link to the minor's video session; `moved`: the session has a new time (issue 17)."""
    start, when = _when(starts_at, ends_at, locale, timezone)
    named = f"{guardian} ({guardian_label(locale)})"  # as video names the guardian in the call
    if spanish(locale):
        mentor, organisation = mentor or "su mentor", organisation or "La organización"
        if moved:
            subject = f"Nueva hora para la sesión de mentoría de {child}: {_day(start, locale, year=False)}"
            opening = f"La sesión de mentoría por videollamada de {child} con {mentor} ha cambiado de hora. Ahora es:"
            link = f"Tu nuevo enlace personal (en la llamada todos te verán como «{named}»):"
            instead = ["", "Usa este enlace en lugar del que te enviamos antes."]
        else:
            subject = f"Invitación a la sesión de mentoría de {child} el {_day(start, locale, year=False)}"
            opening = (f"{organisation} te invita, como madre, padre o tutor/a de {child}, a la sesión de mentoría "
                       f"por videollamada de {child} con {mentor}:")
            link = f"Tu enlace personal (en la llamada todos te verán como «{named}»):"
            instead = []
        return subject, "\n".join([
            f"Estimado/a {guardian}:", "", opening, "", f"  {when}", "", link, url, *instead, "",
            ("El enlace es solo para ti: por favor, no lo reenvíes. Funciona desde 10 minutos antes del inicio "
             "hasta el final de la sesión, y entras como invitado/a, no como anfitrión/a."),
            "", f"Si tienes alguna pregunta, escribe a {organisation} en lugar de responder a este correo.",
        ])
    mentor, organisation = mentor or "their mentor", organisation or "The organisation"
    if moved:
        subject = f"New time for {child}'s mentoring session: {_day(start, locale, year=False)}"
        opening = f"{child}'s video mentoring session with {mentor} has moved to a new time:"
        link = f"Your own link for the new time (it names you, {named}, to everyone in the call):"
        instead = ["", "Please use this link instead of the one we sent before."]
    else:
        subject = f"You are invited to {child}'s mentoring session on {_day(start, locale, year=False)}"
        opening = (f"{organisation} invites you, as {child}'s parent or guardian, to {child}'s video mentoring "
                   f"session with {mentor}:")
        link = f"Your own link (it names you, {named}, to everyone in the call):"
        instead = []
    return subject, "\n".join([
        f"Dear {guardian},", "", opening, "", f"  {when}", "", link, url, *instead, "",
        ("The link is yours alone: please do not forward it. It works from 10 minutes before the start until "
         "the end of the session, and you join as a guest, not as the host."),
        "", f"If you have a question, reply to {organisation} rather than to this email.",
    ])


def session_cancellation(locale: str | None, *, guardian: str, child: str, mentor: str | None,
                         organisation: str | None, starts_at: datetime, ends_at: datetime,
                         timezone: str | None) -> tuple[str, str]:
    """A session the guardian was invited to is cancelled: which one (the time they were last sent), so they do
    not join a call that no longer exists. No reason: it was written for the match's two people."""
    start, when = _when(starts_at, ends_at, locale, timezone)
    if spanish(locale):
        mentor, organisation = mentor or "su mentor", organisation or "la organización"
        return (f"Cancelada: sesión de mentoría de {child} del {_day(start, locale, year=False)}", "\n".join([
            f"Estimado/a {guardian}:", "",
            f"Se ha cancelado la sesión de mentoría por videollamada de {child} con {mentor} a la que te invitamos:",
            "", f"  {when}", "",
            ("El enlace que te enviamos para esta sesión ya no funciona. Si se reserva otra sesión a la que estés "
             "invitado/a, te enviaremos una nueva invitación."),
            "", f"Si tienes alguna pregunta, escribe a {organisation} en lugar de responder a este correo.",
        ]))
    mentor, organisation = mentor or "their mentor", organisation or "the organisation"
    return (f"Cancelled: {child}'s mentoring session on {_day(start, locale, year=False)}", "\n".join([
        f"Dear {guardian},", "",
        f"{child}'s video mentoring session with {mentor}, which you were invited to, has been cancelled:",
        "", f"  {when}", "",
        ("The link we sent you for this session no longer works. If another session you are invited to is booked, "
         "we will send you a new invitation."),
        "", f"If you have a question, reply to {organisation} rather than to this email.",
    ]))
