"""A profile's locale (the app's and emails' language) and availability, and what a minor's
profile text may not share."""

import pytest

from services.profiles import domain
from services.profiles.domain import InvalidProfile, MinorContactDetails

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("raw, locale", [("es", "es"), ("ES", "es"), ("es-MX", "es"), ("en_GB", "en"), (None, None)])
def test_locales_are_the_languages_ementor_speaks(raw, locale):
    assert domain.validate_locale(raw) == locale


@pytest.mark.parametrize("raw", ["fr", "klingon", ""])
def test_another_language_is_refused_with_the_choices(raw):
    with pytest.raises(InvalidProfile, match="choose one of: en, es"):
        domain.validate_locale(raw)


def test_availability_is_tidied_and_bounded():
    assert domain.clean_availability("  Weekday evenings\n after 6pm ") == "Weekday evenings after 6pm"
    assert domain.clean_availability("   ") is None
    with pytest.raises(InvalidProfile, match="at most 500"):
        domain.clean_availability("x" * 501)


@pytest.mark.parametrize("text, kinds", [
    ("Text me on 07700 900123", ["phone"]),
    ("call +44 (0)20 7946 0958 after school", ["phone"]),
    ("mail sam.r@example.org", ["email"]),
    ("see www.example.com", ["link"]),
    ("I'm @sam_builds on insta", ["social_handle"]),
    ("Saturdays 10-12, weekdays after 6pm", []),
    ("Year 12, 17 years old, 3 robots built in 2024", []),
])
def test_contact_details_in_profile_text(text, kinds):
    assert domain.contact_details_in(text) == kinds


def test_a_minor_s_profile_may_not_share_contact_details_but_an_adult_s_may():
    fields = {"bio": "I like robots", "availability": "evenings, or text 07700 900123"}
    with pytest.raises(MinorContactDetails, match="availability seems to contain phone: to keep young people safe"):
        domain.check_minor_text(True, fields)
    domain.check_minor_text(False, fields)
    domain.check_minor_text(True, {"bio": "I like robots", "availability": "weekday evenings"})
