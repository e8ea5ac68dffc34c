"""The words of profiles' own emails (sign-in link, guardian consent) in the recipient's language.

A person's profile `locale` chooses (`es`: Spanish; anything else: English). A guardian is written
to in the language of the child's profile. Dates are in the reader's language and in the person's
own time zone. No nameko, no MongoDB: tested directly (tests/unit/profiles/test_mail_words.py)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from . import consent

MONTHS_ES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre")
SUPERVISION_ES = (
    ("Los mensajes entre tu hijo o hija y su mentor se moderan: todo lo que tenga datos de contacto, enlaces o "
    "frases preocupantes se retiene para que un coordinador lo revise antes de entregarlo."),
    "El contacto se queda en la plataforma: nunca se comparten teléfonos ni correos electrónicos entre ellos.",
    "Las videollamadas se reservan en la plataforma, y el enlace solo funciona en el horario reservado.",
    "La organización comprueba los antecedentes de los mentores de menores antes de emparejarlos.",
)


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
