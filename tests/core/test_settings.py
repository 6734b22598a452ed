"""Settings: sensible defaults, and a ConfigError naming the variable for every bad value."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.roles import APP_ROLES
from core.settings import DEFAULT_SECRET, ConfigError, Settings, load_settings

pytestmark = [pytest.mark.anyio, pytest.mark.engine_independent]

GOOD_SECRET = "a-real-secret-for-production-0123456789"
OIDC = {
    "ARKIV_AUTH_MODE": "oidc",
    "ARKIV_ENTRA_TENANT_ID": "11111111-2222-3333-4444-555555555555",
    "ARKIV_ENTRA_CLIENT_ID": "klient",
    "ARKIV_ENTRA_CLIENT_SECRET": "hemmelig",
    "ARKIV_OIDC_REDIRECT_URI": "https://arkivrutiner.kommune.no/auth/callback",
}
PRODUCTION = {"ARKIV_ENV": "production", "ARKIV_SECRET_KEY": GOOD_SECRET, **OIDC}


def error_for(env: dict[str, str]) -> str:
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    return str(error.value)


# --- Defaults --------------------------------------------------------------------------------


async def test_defaults_need_no_environment() -> None:
    s = load_settings({})
    assert s == Settings(role_map=s.role_map)
    assert s.environment == "development"
    assert not s.production
    assert (s.session_days, s.session_idle_hours) == (14, 8)
    assert s.database_url == "sqlite:///var/arkivrutiner.sqlite"
    assert s.sqlite_path == Path("var/arkivrutiner.sqlite")  # SQLite under ./var
    assert not s.is_postgres
    assert s.auth_mode == "dev"
    assert s.secret_key == DEFAULT_SECRET
    assert s.default_language == "nb"
    assert s.disabled_plugins == () and s.extra_plugins == ()
    assert (s.smtp_host, s.smtp_port, s.smtp_starttls) == ("", 25, False)
    assert s.mail_from == "arkivrutiner@localhost"
    assert s.public_base_url == "http://127.0.0.1:8000"
    assert not s.secure_cookies
    assert (s.session_days, s.debug, s.trace_hooks, s.redis_url) == (14, False, False, "")
    assert s.file_store == "var/files"
    assert s.role_map == {role: role for role in APP_ROLES}
    assert (s.task_reminder_days, s.task_escalation_days) == (2, 5)


async def test_values_are_read_and_normalised() -> None:
    s = load_settings(
        {
            "ARKIV_DATABASE_URL": "postgresql://arkiv@db:5432/arkiv",
            "ARKIV_PUBLIC_BASE_URL": "https://arkivrutiner.kommune.no/",
            "ARKIV_SMTP_PORT": "587",
            "ARKIV_SMTP_STARTTLS": "ja",
            "ARKIV_DEBUG": "0",
            "ARKIV_TRACE_HOOKS": "on",
            "ARKIV_SESSION_DAYS": "7",
            "ARKIV_DEFAULT_LANGUAGE": "nn",
            "ARKIV_EXTRA_PLUGINS": "tests.dummy_plugin",
            "ARKIV_ROLE_MAP": "Arkiv.Fellestjenesten=arkiv, Lonn = lonn",
        }
    )
    assert s.is_postgres
    assert s.public_base_url == "https://arkivrutiner.kommune.no"
    assert s.secure_cookies  # https base URL
    assert (s.smtp_port, s.smtp_starttls, s.debug, s.trace_hooks) == (587, True, False, True)
    assert (s.session_days, s.default_language) == (7, "nn")
    assert s.extra_plugins == ("tests.dummy_plugin",)
    assert s.role_map["Arkiv.Fellestjenesten"] == "arkiv"
    assert s.role_map["Lonn"] == "lonn"
    assert s.role_map["admin"] == "admin"


async def test_absolute_sqlite_path() -> None:
    assert load_settings({"ARKIV_DATABASE_URL": "sqlite:////srv/arkiv/db.sqlite"}).sqlite_path == Path(
        "/srv/arkiv/db.sqlite"
    )


# --- Invalid values --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ARKIV_ENV", "staging"),
        ("ARKIV_DATABASE_URL", "mysql://arkiv@db/arkiv"),
        ("ARKIV_DATABASE_URL", "var/arkivrutiner.sqlite"),
        ("ARKIV_AUTH_MODE", "ldap"),
        ("ARKIV_DEFAULT_LANGUAGE", "en"),
        ("ARKIV_SECRET_KEY", "for-kort"),
        ("ARKIV_SMTP_PORT", "tjuefem"),
        ("ARKIV_SMTP_PORT", "0"),
        ("ARKIV_SMTP_PORT", "70000"),
        ("ARKIV_SMTP_STARTTLS", "kanskje"),
        ("ARKIV_DEBUG", "kanskje"),
        ("ARKIV_TRACE_HOOKS", "2"),
        ("ARKIV_SESSION_DAYS", "0"),
        ("ARKIV_SESSION_DAYS", "to uker"),
        ("ARKIV_SESSION_IDLE_HOURS", "0"),
        ("ARKIV_SESSION_IDLE_HOURS", "337"),  # more than ARKIV_SESSION_DAYS (14) in hours
        ("ARKIV_SESSION_IDLE_HOURS", "åtte"),
        ("ARKIV_DB_POOL_SIZE", "-1"),
        ("ARKIV_OPPGAVE_PURREDAGER", "0"),
        ("ARKIV_OPPGAVE_PURREDAGER", "to"),
        ("ARKIV_OPPGAVE_ESKALERINGSDAGER", "fem"),
        ("ARKIV_PUBLIC_BASE_URL", "arkivrutiner.kommune.no"),
        ("ARKIV_ROLE_MAP", "Arkiv.Fellestjenesten=superbruker"),
        ("ARKIV_ROLE_MAP", "Arkiv.Fellestjenesten"),
    ],
)
async def test_invalid_value_names_the_variable(variable: str, value: str) -> None:
    message = error_for({variable: value})
    assert variable in message
    assert message.endswith(".")


async def test_task_reminder_and_escalation_days() -> None:
    s = load_settings({"ARKIV_OPPGAVE_PURREDAGER": "3", "ARKIV_OPPGAVE_ESKALERINGSDAGER": "3"})
    assert (s.task_reminder_days, s.task_escalation_days) == (3, 3)
    message = error_for({"ARKIV_OPPGAVE_PURREDAGER": "4", "ARKIV_OPPGAVE_ESKALERINGSDAGER": "3"})
    assert (
        message == "ARKIV_OPPGAVE_ESKALERINGSDAGER (3) kan ikke være mindre enn ARKIV_OPPGAVE_PURREDAGER (4)."
    )


async def test_invalid_boolean_and_integer_messages_quote_the_value() -> None:
    assert "«kanskje»" in error_for({"ARKIV_DEBUG": "kanskje"})
    assert "«tjuefem»" in error_for({"ARKIV_SMTP_PORT": "tjuefem"})


@pytest.mark.parametrize("raw", ["1", "true", "yes", "ja", "on", "TRUE", " Ja "])
async def test_true_values(raw: str) -> None:
    assert load_settings({"ARKIV_SMTP_STARTTLS": raw}).smtp_starttls is True


@pytest.mark.parametrize("raw", ["0", "false", "no", "nei", "off", ""])
async def test_false_values(raw: str) -> None:
    assert load_settings({"ARKIV_SMTP_STARTTLS": raw}).smtp_starttls is False


# --- Production ------------------------------------------------------------------------------


async def test_production_with_entra_id_is_accepted() -> None:
    s = load_settings(PRODUCTION)
    assert s.production
    assert s.auth_mode == "oidc"
    assert s.secure_cookies
    assert s.effective_oidc_authority == f"https://login.microsoftonline.com/{OIDC['ARKIV_ENTRA_TENANT_ID']}"


async def test_production_defaults_to_oidc() -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != "ARKIV_AUTH_MODE"}
    assert load_settings(env).auth_mode == "oidc"
    assert "ARKIV_ENTRA_CLIENT_ID" in error_for({"ARKIV_ENV": "production", "ARKIV_SECRET_KEY": GOOD_SECRET})


async def test_production_refuses_dev_login() -> None:
    assert "ARKIV_AUTH_MODE" in error_for({**PRODUCTION, "ARKIV_AUTH_MODE": "dev"})


async def test_production_refuses_the_default_secret() -> None:
    assert "ARKIV_SECRET_KEY" in error_for({**PRODUCTION, "ARKIV_SECRET_KEY": DEFAULT_SECRET})
    env = {k: v for k, v in PRODUCTION.items() if k != "ARKIV_SECRET_KEY"}
    assert "ARKIV_SECRET_KEY" in error_for(env)


async def test_production_refuses_debug() -> None:
    assert "ARKIV_DEBUG" in error_for({**PRODUCTION, "ARKIV_DEBUG": "true"})


async def test_dev_login_default_secret_and_debug_are_fine_outside_production() -> None:
    s = load_settings({"ARKIV_ENV": "test", "ARKIV_AUTH_MODE": "dev", "ARKIV_DEBUG": "true"})
    assert (s.auth_mode, s.secret_key, s.debug) == ("dev", DEFAULT_SECRET, True)


# --- OIDC ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("left_out", "named"),
    [
        ("ARKIV_ENTRA_CLIENT_ID", "ARKIV_ENTRA_CLIENT_ID"),
        ("ARKIV_ENTRA_CLIENT_SECRET", "ARKIV_ENTRA_CLIENT_SECRET"),
        ("ARKIV_OIDC_REDIRECT_URI", "ARKIV_OIDC_REDIRECT_URI"),
        ("ARKIV_ENTRA_TENANT_ID", "ARKIV_ENTRA_TENANT_ID eller ARKIV_OIDC_AUTHORITY"),
    ],
)
async def test_oidc_requires_client_id_secret_redirect_and_authority(left_out: str, named: str) -> None:
    env = {k: v for k, v in OIDC.items() if k != left_out}
    message = error_for(env)
    assert named in message
    assert message.startswith("Innlogging med Entra ID mangler")


async def test_oidc_lists_everything_that_is_missing() -> None:
    message = error_for({"ARKIV_AUTH_MODE": "oidc"})
    for name in ("ARKIV_ENTRA_CLIENT_ID", "ARKIV_ENTRA_CLIENT_SECRET", "ARKIV_OIDC_REDIRECT_URI"):
        assert name in message


async def test_oidc_authority_instead_of_tenant() -> None:
    env = {k: v for k, v in OIDC.items() if k != "ARKIV_ENTRA_TENANT_ID"}
    s = load_settings({**env, "ARKIV_OIDC_AUTHORITY": "https://idp.kommune.no/realms/ansatte/"})
    assert s.effective_oidc_authority == "https://idp.kommune.no/realms/ansatte"


async def test_oidc_authority_must_use_https() -> None:
    env = {**OIDC, "ARKIV_OIDC_AUTHORITY": "http://idp.kommune.no"}
    assert "ARKIV_OIDC_AUTHORITY" in error_for(env)
