"""What the `api` entrypoint refuses before a service sees it: JSON the rest of the system cannot carry."""

import pytest
from pydantic import BaseModel

from ementor.platform.http.api import api

pytestmark = pytest.mark.integration


class Reading(BaseModel):
    value: float | None = None
    label: str | None = None
    extra: dict | list | None = None


class EchoService:
    name = "echo"
    calls = 0

    @api("POST", "/v1/echo", auth="public", body=Reading, response=Reading, summary="Echo a reading")
    def echo(self, body: Reading):
        EchoService.calls += 1
        return body

    @api("GET", "/v1/echo/<name>", auth="public", response=Reading, summary="Echo a path value")
    def echo_path(self, name: str):
        EchoService.calls += 1
        return Reading(label=name)

    @api("GET", "/v1/echo", auth="public", query=Reading, response=Reading, summary="Echo a query")
    def echo_query(self, query: Reading):
        EchoService.calls += 1
        return query


@pytest.fixture
def echo(start_services, api):
    EchoService.calls = 0
    start_services(EchoService)
    return api


def post_raw(api, raw: str):
    return api.post("/v1/echo", data=raw.encode(), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize("raw", ['{"value": NaN}', '{"value": Infinity}', '{"value": -Infinity}'])
def test_nan_and_infinity_are_not_json_and_get_a_400(echo, raw):
    response = post_raw(echo, raw)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "malformed_json"
    assert "finite number" in response.json()["error"]["message"]
    assert EchoService.calls == 0


def test_a_number_too_large_for_a_double_is_a_422_naming_the_field(echo):
    response = post_raw(echo, '{"value": 1e999}')
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "value"
    assert EchoService.calls == 0


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity", "1e999"])
def test_non_finite_numbers_in_a_query_are_a_422(echo, value):
    response = echo.get("/v1/echo", params={"value": value})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["details"][0]["field"] == "value"
    assert EchoService.calls == 0


def test_finite_numbers_still_pass(echo):
    assert post_raw(echo, '{"value": 1.5e300}').json()["value"] == 1.5e300
    assert echo.get("/v1/echo", params={"value": "-2.5"}).json()["value"] == -2.5


@pytest.mark.parametrize("depth", [40, 5_000, 100_000])
def test_deeply_nested_json_is_a_400_not_a_500(echo, depth):
    response = post_raw(echo, '{"extra": ' + "[" * depth + "]" * depth + "}")
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.json()["error"]["message"]


def test_nesting_an_api_body_needs_still_passes(echo):
    assert post_raw(echo, '{"extra": ' + "[" * 20 + "]" * 20 + "}").status_code == 200


@pytest.mark.parametrize("raw", ['{"label": "a\\ud800b"}', '{"label": "\\udfff"}', '{"extra": {"\\ud83d": 1}}'])
def test_a_lone_surrogate_is_a_422_before_the_service_runs(echo, raw):
    response = post_raw(echo, raw)
    assert response.status_code == 422, response.text
    assert "not valid Unicode" in response.json()["error"]["message"]
    assert EchoService.calls == 0


def test_a_proper_surrogate_pair_is_an_emoji_and_passes(echo):
    assert post_raw(echo, '{"label": "\\ud83d\\ude00"}').json()["label"] == "\U0001f600"


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f", "c1\x85"])
def test_control_characters_are_refused_in_bodies_and_queries(echo, text):
    body = echo.post("/v1/echo", json={"label": text})
    query = echo.get("/v1/echo", params={"label": text})
    for response in (body, query):
        assert response.status_code == 422, response.text
        assert response.json()["error"]["details"][0]["field"] == "label"
    assert EchoService.calls == 0


def test_tabs_and_line_breaks_stay_allowed_in_free_text(echo):
    assert echo.post("/v1/echo", json={"label": "line one\r\n\tline two"}).status_code == 200


@pytest.mark.parametrize("path", ["/v1/echo/a%00b", "/v1/echo/%1B%5B31m", "/v1/echo/a%C2%85"])
def test_control_characters_in_a_path_value_are_a_404(echo, path):
    response = echo.get(path)
    assert response.status_code == 404, response.text  # no id holds such text
    assert "control character" in response.json()["error"]["message"]
    assert EchoService.calls == 0


def test_invalid_utf8_in_a_path_value_never_reaches_the_service_as_a_surrogate(echo):
    response = echo.get("/v1/echo/%ED%A0%80")
    assert response.status_code in (200, 404), response.text  # decoded as U+FFFD, or refused: never a 500
    assert echo.get("/v1/echo/caf%C3%A9").json()["label"] == "café"


def test_an_address_over_8_kb_is_a_json_414_that_says_what_to_do(echo):
    response = echo.get("/v1/echo", params={"label": "é" * 3000})  # 18 KB once percent-encoded
    assert response.status_code == 414, response.text
    assert response.json()["error"]["code"] == "uri_too_long"
    assert "request body" in response.json()["error"]["message"]
    assert EchoService.calls == 0


def test_an_address_just_under_the_limit_still_reaches_the_service(echo):
    response = echo.get("/v1/echo", params={"label": "a" * 8000})
    assert response.status_code == 200, response.text
    assert response.json()["label"] == "a" * 8000
