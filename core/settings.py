"""Settings read from environment variables (all prefixed ``ARKIV_``).

Every variable is documented in the README. ``load_settings()`` validates them and raises
:class:`ConfigError` with a Norwegian message naming the variable when something is wrong,
so a bad deployment stops at start instead of half-working.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from core.roles import APP_ROLES

DEFAULT_SECRET = "dev-secret-not-for-production-use-0000"  # noqa: S105 - refused in production
AUTH_MODES = ("dev", "oidc")
LANGUAGES = ("nb", "nn")


class ConfigError(Exception):
    """Invalid configuration; the message says which variable and why (in Norwegian)."""


@dataclass(frozen=True)
class Settings:
    """Validated application settings. Build with :func:`load_settings`."""

    environment: str = "development"
    database_url: str = "sqlite:///var/arkivrutiner.sqlite"
    secret_key: str = DEFAULT_SECRET
    auth_mode: str = "dev"
    oidc_authority: str = ""
    oidc_tenant_id: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_redirect_uri: str = ""
    oidc_ca_bundle: str = ""
    role_map: Mapping[str, str] = field(default_factory=dict)
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_ca_bundle: str = ""
    """CA file that signs the SMTP server's certificate, for a server with a private CA."""
    smtp_timeout: float = 10.0
    """Seconds to wait for the SMTP connection and for each reply (``ARKIV_SMTP_TIMEOUT``)."""
    outbox_run_seconds: float = 50.0
    """An outbox run takes no new message after this many seconds (``ARKIV_OUTBOX_RUN_SECONDS``);
    the rest waits for the next run. Below a minute, so a run ends before the next slot."""
    mail_from: str = "arkivrutiner@localhost"
    public_base_url: str = "http://127.0.0.1:8000"
    default_language: str = "nb"
    disabled_plugins: tuple[str, ...] = ()
    extra_plugins: tuple[str, ...] = ()
    debug: bool = False
    session_days: int = 14
    """Absolute lifetime of a session, whatever the activity (``ARKIV_SESSION_DAYS``)."""
    session_idle_hours: int = 8
    """A session ends after this many hours without a request (``ARKIV_SESSION_IDLE_HOURS``)."""
    file_store: str = "var/files"
    file_grace_hours: int = 24
    """Hours an unreferenced file stays in the file store before ``core.purge_files`` removes it
    (``ARKIV_FILE_GRACE_HOURS``)."""
    trace_hooks: bool = False
    redis_url: str = ""
    db_pool_size: int = 10
    task_reminder_days: int = 2
    """Working days a task waits before its receiver is reminded (``ARKIV_OPPGAVE_PURREDAGER``)."""
    task_escalation_days: int = 5
    """Working days before the receiver's leader is told too (``ARKIV_OPPGAVE_ESKALERINGSDAGER``)."""
    municipality: str = ""
    """The municipality that runs the app (``ARKIV_KOMMUNE``), named in the accessibility
    statement; empty shows a placeholder there."""
    accessibility_contact: str = ""
    """Where users report accessibility problems (``ARKIV_TILGJENGELIGHET_KONTAKT``): an e-mail
    address or an https address; empty shows a placeholder in the statement."""

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgres://", "postgresql://"))

    @property
    def sqlite_path(self) -> Path:
        """Path of the SQLite file for a ``sqlite:///relative`` or ``sqlite:////abs`` URL."""
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def secure_cookies(self) -> bool:
        return self.production or self.public_base_url.startswith("https://")

    @property
    def effective_oidc_authority(self) -> str:
        if self.oidc_authority:
            return self.oidc_authority
        return f"https://login.microsoftonline.com/{self.oidc_tenant_id}"


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "ja", "on"):
        return True
    if value in ("0", "false", "no", "nei", "off"):
        return False
    raise ConfigError(f"{name} må være true eller false, ikke «{raw}».")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} må være et heltall, ikke «{raw}».") from None


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{name} må være et antall sekunder, ikke «{raw}».") from None
    if not 0 < value <= 3600:
        raise ConfigError(f"{name} må være mer enn 0 og høyst 3600 sekunder, ikke «{raw}».")
    return value


def _list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in env.get(name, "").split(",") if part.strip())


def _role_map(env: Mapping[str, str]) -> dict[str, str]:
    """``ARKIV_ROLE_MAP="Arkiv.Fellestjenesten=arkiv,Lonn=lonn"``: Entra app role -> app role."""
    mapping = {role: role for role in APP_ROLES}
    for pair in _list(env, "ARKIV_ROLE_MAP"):
        claim, sep, role = pair.partition("=")
        if not sep or role.strip() not in APP_ROLES:
            raise ConfigError(
                f"ARKIV_ROLE_MAP: «{pair}» må ha formen app-rolle=rolle, der rolle er en av "
                f"{', '.join(APP_ROLES)}."
            )
        mapping[claim.strip()] = role.strip()
    return mapping


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate settings from ``environ`` (default: the process environment)."""
    env = os.environ if environ is None else environ
    environment = env.get("ARKIV_ENV", "development")
    if environment not in ("development", "test", "production"):
        raise ConfigError(f"ARKIV_ENV må være development, test eller production, ikke «{environment}».")
    settings = Settings(
        environment=environment,
        database_url=env.get("ARKIV_DATABASE_URL", Settings.database_url),
        secret_key=env.get("ARKIV_SECRET_KEY", DEFAULT_SECRET),
        auth_mode=env.get("ARKIV_AUTH_MODE", "oidc" if environment == "production" else "dev"),
        oidc_authority=env.get("ARKIV_OIDC_AUTHORITY", "").rstrip("/"),
        oidc_tenant_id=env.get("ARKIV_ENTRA_TENANT_ID", ""),
        oidc_client_id=env.get("ARKIV_ENTRA_CLIENT_ID", ""),
        oidc_client_secret=env.get("ARKIV_ENTRA_CLIENT_SECRET", ""),
        oidc_redirect_uri=env.get("ARKIV_OIDC_REDIRECT_URI", ""),
        oidc_ca_bundle=env.get("ARKIV_OIDC_CA_BUNDLE", ""),
        role_map=_role_map(env),
        smtp_host=env.get("ARKIV_SMTP_HOST", ""),
        smtp_port=_int(env, "ARKIV_SMTP_PORT", 25),
        smtp_username=env.get("ARKIV_SMTP_USERNAME", ""),
        smtp_password=env.get("ARKIV_SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env, "ARKIV_SMTP_STARTTLS", False),
        smtp_ca_bundle=env.get("ARKIV_SMTP_CA_BUNDLE", ""),
        smtp_timeout=_seconds(env, "ARKIV_SMTP_TIMEOUT", Settings.smtp_timeout),
        outbox_run_seconds=_seconds(env, "ARKIV_OUTBOX_RUN_SECONDS", Settings.outbox_run_seconds),
        mail_from=env.get("ARKIV_MAIL_FROM", Settings.mail_from),
        public_base_url=env.get("ARKIV_PUBLIC_BASE_URL", Settings.public_base_url).rstrip("/"),
        default_language=env.get("ARKIV_DEFAULT_LANGUAGE", "nb"),
        disabled_plugins=_list(env, "ARKIV_DISABLED_PLUGINS"),
        extra_plugins=_list(env, "ARKIV_EXTRA_PLUGINS"),
        debug=_bool(env, "ARKIV_DEBUG", False),
        session_days=_int(env, "ARKIV_SESSION_DAYS", 14),
        session_idle_hours=_int(env, "ARKIV_SESSION_IDLE_HOURS", 8),
        file_store=env.get("ARKIV_FILE_STORE", Settings.file_store),
        file_grace_hours=_int(env, "ARKIV_FILE_GRACE_HOURS", 24),
        trace_hooks=_bool(env, "ARKIV_TRACE_HOOKS", False),
        redis_url=env.get("ARKIV_REDIS_URL", ""),
        db_pool_size=_int(env, "ARKIV_DB_POOL_SIZE", 10),
        task_reminder_days=_int(env, "ARKIV_OPPGAVE_PURREDAGER", 2),
        task_escalation_days=_int(env, "ARKIV_OPPGAVE_ESKALERINGSDAGER", 5),
        municipality=env.get("ARKIV_KOMMUNE", "").strip(),
        accessibility_contact=env.get("ARKIV_TILGJENGELIGHET_KONTAKT", "").strip(),
    )
    validate(settings)
    return settings


def validate(s: Settings) -> None:
    """Raise :class:`ConfigError` for settings that cannot work or are unsafe."""
    scheme = urlparse(s.database_url).scheme
    if scheme not in ("sqlite", "postgres", "postgresql"):
        raise ConfigError(
            f"ARKIV_DATABASE_URL må begynne med sqlite:/// eller postgresql://, ikke «{s.database_url}»."
        )
    if s.auth_mode not in AUTH_MODES:
        raise ConfigError(f"ARKIV_AUTH_MODE må være dev eller oidc, ikke «{s.auth_mode}».")
    if s.default_language not in LANGUAGES:
        raise ConfigError(f"ARKIV_DEFAULT_LANGUAGE må være nb eller nn, ikke «{s.default_language}».")
    if len(s.secret_key) < 32:
        raise ConfigError("ARKIV_SECRET_KEY må være minst 32 tegn lang.")
    if not (1 <= s.smtp_port <= 65535):
        raise ConfigError(f"ARKIV_SMTP_PORT må være mellom 1 og 65535, ikke {s.smtp_port}.")
    if s.smtp_ca_bundle and not Path(s.smtp_ca_bundle).is_file():
        raise ConfigError(f"ARKIV_SMTP_CA_BUNDLE: finner ikke filen «{s.smtp_ca_bundle}».")
    if s.db_pool_size < 0:
        raise ConfigError("ARKIV_DB_POOL_SIZE må være 0 eller mer.")
    if s.file_grace_hours < 1:
        raise ConfigError("ARKIV_FILE_GRACE_HOURS må være minst 1.")
    if s.session_days < 1:
        raise ConfigError("ARKIV_SESSION_DAYS må være minst 1.")
    if not (1 <= s.session_idle_hours <= s.session_days * 24):
        raise ConfigError(
            f"ARKIV_SESSION_IDLE_HOURS må være mellom 1 og {s.session_days * 24} "
            f"(ARKIV_SESSION_DAYS i timer), ikke {s.session_idle_hours}."
        )
    if s.task_reminder_days < 1:
        raise ConfigError(f"ARKIV_OPPGAVE_PURREDAGER må være minst 1, ikke {s.task_reminder_days}.")
    if s.task_escalation_days < s.task_reminder_days:
        raise ConfigError(
            f"ARKIV_OPPGAVE_ESKALERINGSDAGER ({s.task_escalation_days}) kan ikke være mindre enn "
            f"ARKIV_OPPGAVE_PURREDAGER ({s.task_reminder_days})."
        )
    contact = s.accessibility_contact
    if contact and not (contact.startswith("https://") or ("@" in contact and " " not in contact)):
        raise ConfigError(
            f"ARKIV_TILGJENGELIGHET_KONTAKT må være en e-postadresse eller begynne med https://, ikke «{contact}»."
        )
    if urlparse(s.public_base_url).scheme not in ("http", "https"):
        raise ConfigError("ARKIV_PUBLIC_BASE_URL må begynne med http:// eller https://.")
    if s.auth_mode == "oidc":
        missing = [
            name
            for name, value in (
                ("ARKIV_ENTRA_CLIENT_ID", s.oidc_client_id),
                ("ARKIV_ENTRA_CLIENT_SECRET", s.oidc_client_secret),
                ("ARKIV_OIDC_REDIRECT_URI", s.oidc_redirect_uri),
                (
                    "ARKIV_ENTRA_TENANT_ID eller ARKIV_OIDC_AUTHORITY",
                    s.oidc_tenant_id or s.oidc_authority,
                ),
            )
            if not value
        ]
        if missing:
            raise ConfigError("Innlogging med Entra ID mangler: " + ", ".join(missing) + ".")
        if not s.effective_oidc_authority.startswith("https://"):
            raise ConfigError("ARKIV_OIDC_AUTHORITY må bruke https://.")
    if s.production:
        if s.auth_mode == "dev":
            raise ConfigError("Utviklerinnlogging (ARKIV_AUTH_MODE=dev) er ikke lov i produksjon.")
        if s.secret_key == DEFAULT_SECRET:
            raise ConfigError("Sett en egen ARKIV_SECRET_KEY i produksjon.")
        if s.debug:
            raise ConfigError("ARKIV_DEBUG kan ikke være på i produksjon.")
