"""POST /v1/auth/token refuses guessers: failures are counted per client address and per key id."""

from __future__ import annotations

import logging
import time

import eventlet
import pytest
from prometheus_client import REGISTRY

from ementor.platform.errors import RateLimited
from ementor.platform.ratelimit import Limit, Limiter
from services.profiles.service import ProfilesService

pytestmark = pytest.mark.integration

LIMIT = 5


@pytest.fixture
def profiles(start_services, settings):
    return start_services(ProfilesService,
                          settings_override=settings.model_copy(update={"EMENTOR_AUTH_FAILURES_PER_MINUTE": LIMIT}))


def failures(outcome: str) -> float:
    return REGISTRY.get_sample_value("ementor_auth_failures_total", {"service": "profiles", "endpoint": "token", "reason": outcome}) or 0


def wrong(api_key: str) -> str:
    return api_key[:-4] + ("aaaa" if not api_key.endswith("aaaa") else "bbbb")


def test_a_client_that_keeps_sending_wrong_keys_is_told_to_wait_even_with_the_right_one(profiles, api, caplog):
    created = api.create_organisation("harbour")
    refused_before = failures("refused")
    caplog.set_level(logging.WARNING, logger="services.profiles.service")
    for _ in range(LIMIT):
        assert api.post("/v1/auth/token", "emk_guess_" + "x" * 40).status_code == 401
    assert failures("refused") == refused_before + LIMIT
    assert "invalid API key from 127.0.0.1" in caplog.text

    throttled = api.post("/v1/auth/token", created["api_key"])
    assert throttled.status_code == 429 and throttled.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 60
    assert failures("throttled") >= 1 and "too many failures from 127.0.0.1" in caplog.text

    elsewhere = api.post("/v1/auth/token", created["api_key"], headers={"X-Forwarded-For": "203.0.113.7"})
    assert elsewhere.status_code == 200, "another client (behind our proxy) is not held back"


def test_one_key_id_guessed_from_many_addresses_is_throttled_for_all(profiles, api):
    victim = api.create_organisation("harbour")
    other = api.create_organisation("northside")
    for i in range(LIMIT):
        response = api.post("/v1/auth/token", wrong(victim["api_key"]), headers={"X-Forwarded-For": f"198.51.100.{i}"})
        assert response.status_code == 401
    fresh = {"X-Forwarded-For": "198.51.100.200"}
    assert api.post("/v1/auth/token", victim["api_key"], headers=fresh).status_code == 429
    assert api.post("/v1/auth/token", other["api_key"], headers=fresh).status_code == 200


def test_a_forwarded_address_is_believed_only_from_our_own_proxy():
    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    from ementor.platform.ratelimit import client_address

    def request(peer, forwarded):
        environ = EnvironBuilder(headers={"X-Forwarded-For": forwarded}).get_environ()
        environ["REMOTE_ADDR"] = peer
        return Request(environ)

    assert client_address(request("10.0.3.4", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"
    assert client_address(request("8.8.4.4", "203.0.113.9")) == "8.8.4.4", "a public peer cannot pick its address"


def test_replicas_sharing_the_store_never_lose_a_failure(profiles):
    now = time.time()  # a real time: the store expires documents by the wall clock
    replicas = [Limiter("profiles", clock=lambda: now) for _ in range(3)]
    failures = Limit(LIMIT, 60)
    pool = eventlet.GreenPool()
    for i in range(LIMIT):
        pool.spawn(replicas[i % 3].failed, failures, "address:192.0.2.1")
    pool.waitall()
    with pytest.raises(RateLimited, match="too many failed attempts"):
        replicas[0].check(failures, "address:192.0.2.1")
    replicas[1].check(failures, "address:192.0.2.2")  # another key is untouched


def test_attempts_are_counted_until_the_allowance_is_spent_then_refill(profiles):
    now = [time.time()]
    limiter = Limiter("profiles", clock=lambda: now[0])
    sign_in = Limit(3, per_seconds=30)
    for _ in range(3):
        limiter.attempt("sign-in:a@example.org", sign_in)
    with pytest.raises(RateLimited, match="too many attempts") as refused:
        limiter.attempt("sign-in:a@example.org", sign_in)
    assert 1 <= refused.value.retry_after <= 11, "one attempt comes back after a third of the window"
    limiter.attempt("sign-in:b@example.org", sign_in)  # another key is untouched
    now[0] += 10.5
    limiter.attempt("sign-in:a@example.org", sign_in)
    with pytest.raises(RateLimited):
        limiter.attempt("sign-in:a@example.org", sign_in)
