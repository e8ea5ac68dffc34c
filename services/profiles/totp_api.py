"""Entrypoints of the staff second factor (mixed into ProfilesService): enrol an authenticator and
exchange a sign-in's challenge plus a code for the session; an admin resets a lost authenticator."""

from __future__ import annotations

from ementor.platform.errors import BadInput, Conflict, RateLimited
from ementor.platform.extension import ServiceDependency
from ementor.platform.http.api import api
from ementor.platform.principal import Principal
from ementor.platform.ratelimit import Limit, client_address

from . import accounts, totp
from .sso import Keys
from .sso_schemas import TotpChallenge, TotpEnrolment, TotpSessionTokens, TotpVerify

PER_ADDRESS = Limit(120, 60)


class SealedSecrets(ServiceDependency):
    """Gives workers the Keys that encrypt one kind of stored secret (derived from the JWT secrets)."""

    def __init__(self, purpose: str):
        self.purpose = purpose

    def setup(self):
        settings = self.settings
        self.keys = Keys(settings.EMENTOR_JWT_SECRET, settings.EMENTOR_JWT_PREVIOUS_SECRET, purpose=self.purpose)

    def get_dependency(self, worker_ctx) -> Keys:
        return self.keys


class SecondFactorApi:
    totp_keys = SealedSecrets("totp seed")

    @api("POST", "/v1/auth/totp/enrol", auth="public", pass_request=True, body=TotpChallenge,
         response=TotpEnrolment, summary="Start enrolling an authenticator app: its secret and otpauth:// URI")
    def enrol_totp(self, request, body: TotpChallenge):
        self._limit(f"totp-ip:{client_address(request)}", PER_ADDRESS, endpoint="totp")
        try:
            return totp.enrol(self.repo, self.totp_keys, body.challenge)
        except (BadInput, Conflict) as exc:
            self._failed("totp", exc.code, request)
            raise

    @api("POST", "/v1/auth/totp/verify", auth="public", pass_request=True, body=TotpVerify,
         response=TotpSessionTokens,
         summary="Finish signing in with a TOTP (or recovery) code: the session's tokens and cookies")
    def verify_totp(self, request, body: TotpVerify):
        self._limit(f"totp-ip:{client_address(request)}", PER_ADDRESS, endpoint="totp")
        try:
            subject, recovery_codes, _ = totp.verify(self.repo, self.totp_keys, self.limiter, body)
        except (BadInput, Conflict, RateLimited) as exc:
            self._failed("totp", exc.code, request)
            raise
        return self._session_response(accounts.open_session(self.repo, subject, self._links()),
                                      recovery_codes=recovery_codes)

    @api("DELETE", "/v1/staff/<staff_id>/totp", roles=("manage_staff",), status=204,
         summary="Reset a member of staff's authenticator (lost phone): they enrol again at their next sign-in")
    def reset_totp(self, auth: Principal, staff_id: str):
        totp.reset(auth, staff_id)
