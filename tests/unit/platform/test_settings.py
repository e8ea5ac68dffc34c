import pytest

from ementor.platform.settings import ConfigurationError, load_settings

pytestmark = pytest.mark.unit

SECRET = "s" * 40


def test_the_development_defaults_need_ementor_env_development_said_explicitly():
    settings = load_settings({"EMENTOR_ENV": "development"})
    assert settings.is_development and settings.EMENTOR_HTTP_ADDRESS == "127.0.0.1:8000"
    assert settings.uses_embedded_mongo
    with pytest.raises(ConfigurationError, match="EMENTOR_ENV unset.*only with EMENTOR_ENV=development"):
        load_settings({})


@pytest.mark.parametrize("environment", ["test", "staging", "production"])
@pytest.mark.parametrize("key", ["EMENTOR_ADMIN_TOKEN", "EMENTOR_JWT_SECRET"])
def test_every_other_environment_refuses_the_published_development_secrets(environment, key):
    real = {"EMENTOR_ADMIN_TOKEN": SECRET, "EMENTOR_JWT_SECRET": SECRET + "x", "MONGODB_URI": "mongodb://db:27017"}
    del real[key]  # left at its development default
    with pytest.raises(ConfigurationError, match=f"{key} must be a secret.*EMENTOR_ENV={environment}"):
        load_settings({"EMENTOR_ENV": environment, **real})
    assert load_settings({"EMENTOR_ENV": environment, key: SECRET + "y", **real}).EMENTOR_ENV == environment


def test_a_setting_can_come_from_a_file_named_by_its_file_variable(tmp_path):
    (tmp_path / "jwt").write_text(SECRET + "-from-a-file\n")
    environ = {"EMENTOR_ENV": "staging", "EMENTOR_ADMIN_TOKEN": SECRET, "EMENTOR_JWT_SECRET_FILE": str(tmp_path / "jwt")}
    assert load_settings(environ).EMENTOR_JWT_SECRET == SECRET + "-from-a-file"
    with pytest.raises(ConfigurationError, match="EMENTOR_JWT_SECRET_FILE: cannot read"):
        load_settings({**environ, "EMENTOR_JWT_SECRET_FILE": str(tmp_path / "missing")})
    with pytest.raises(ConfigurationError, match="either EMENTOR_JWT_SECRET or EMENTOR_JWT_SECRET_FILE"):
        load_settings({**environ, "EMENTOR_JWT_SECRET": SECRET})
    with pytest.raises(ConfigurationError, match="EMENTOR_JWT_SECRT_FILE"):
        load_settings({**environ, "EMENTOR_JWT_SECRT_FILE": str(tmp_path / "jwt")})


def test_a_misspelt_variable_fails_the_boot_and_names_it():
    with pytest.raises(ConfigurationError, match="EMENTOR_ADMN_TOKEN"):
        load_settings({"EMENTOR_ADMN_TOKEN": "x"})
    with pytest.raises(ConfigurationError, match="SMTP_PROT"):
        load_settings({"SMTP_PROT": "25"})


def test_a_bad_value_fails_the_boot_and_names_it():
    with pytest.raises(ConfigurationError, match="SMTP_PORT"):
        load_settings({"SMTP_PORT": "twenty-five"})
    with pytest.raises(ConfigurationError, match="EMENTOR_ENV"):
        load_settings({"EMENTOR_ENV": "prod"})


@pytest.mark.parametrize("missing", ["EMENTOR_ADMIN_TOKEN", "EMENTOR_JWT_SECRET", "MONGODB_URI"])
def test_production_refuses_placeholders_and_the_embedded_database(missing):
    environ = {"EMENTOR_ENV": "production", "EMENTOR_ADMIN_TOKEN": SECRET, "EMENTOR_JWT_SECRET": SECRET + "x",
               "MONGODB_URI": "mongodb://db:27017"}
    environ.pop(missing)
    with pytest.raises(ConfigurationError, match=missing):
        load_settings(environ)


def test_production_with_real_secrets_boots():
    settings = load_settings({"EMENTOR_ENV": "production", "EMENTOR_ADMIN_TOKEN": SECRET,
                              "EMENTOR_JWT_SECRET": SECRET + "x", "MONGODB_URI": "mongodb://db:27017"})
    assert not settings.uses_embedded_mongo and not settings.is_development


def test_the_env_example_placeholders_are_refused_in_production():
    from pathlib import Path

    example = dict(
        line.split("=", 1) for line in Path(__file__).parents[3].joinpath(".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    )
    with pytest.raises(ConfigurationError, match="EMENTOR_ADMIN_TOKEN"):
        load_settings(example)
    assert load_settings({**example, "EMENTOR_ADMIN_TOKEN": SECRET, "EMENTOR_JWT_SECRET": SECRET + "y"})


@pytest.mark.parametrize("uri, expected", [
    ("mongodb://db:27017", "mongodb://db:27017"),
    ("mongodb://db:27017/admin?replicaSet=rs0", "mongodb://db:27017/?replicaSet=rs0"),
    ("mongodb://u:p@db:27017/admin?replicaSet=rs0", "mongodb://u:p@db:27017/?replicaSet=rs0&authSource=admin"),
    ("mongodb://u:p@db/x?authSource=y", "mongodb://u:p@db/?authSource=y"),
])
def test_a_database_in_mongodb_uri_never_overrides_the_service_database(uri, expected):
    from ementor.platform.mongo import without_database

    assert without_database(uri) == expected


def test_each_service_reads_only_its_own_section():
    from ementor.platform.settings import (
        CommonSettings,
        IntegrationsSettings,
        NotificationsSettings,
        VideoSettings,
        section,
    )

    settings = load_settings({"EMENTOR_ENV": "development", "SMTP_HOST": "mail.example.org",
                              "EMENTOR_JITSI_BASE_URL": "https://video.example.org"})
    mail = section(settings, NotificationsSettings)
    video = section(settings, VideoSettings)
    assert mail.SMTP_HOST == "mail.example.org" and not hasattr(mail, "EMENTOR_JITSI_BASE_URL")
    assert video.EMENTOR_JITSI_BASE_URL == "https://video.example.org" and not hasattr(video, "SMTP_HOST")
    assert not hasattr(section(settings, IntegrationsSettings), "TWILIO_AUTH_TOKEN")
    common = section(settings, CommonSettings)
    assert common.AMQP_URI == settings.AMQP_URI and not hasattr(common, "EMENTOR_ALLOW_PRIVATE_WEBHOOKS")


def test_every_section_s_variable_is_known_to_the_boot_check():
    from ementor.platform.settings import (
        IntegrationsSettings,
        NotificationsSettings,
        ProfilesSettings,
        Settings,
        VideoSettings,
    )

    for model in (NotificationsSettings, VideoSettings, IntegrationsSettings, ProfilesSettings):
        assert set(model.model_fields) <= set(Settings.model_fields)
    load_settings({"EMENTOR_ENV": "development", "EMENTOR_JITSI_APP_ID": "a", "EMENTOR_JITSI_APP_SECRET": "b",
                   "TWILIO_FROM_NUMBER": "+15005550006"})
