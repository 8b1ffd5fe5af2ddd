"""Configuration: defaults, .env files per environment, environment precedence, clear failures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from deckgen.config import ConfigError, Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_without_files(tmp_path: Path) -> None:
    settings = load_settings({}, config_dir=tmp_path)
    assert settings == Settings()
    assert settings.address == "0.0.0.0:8000"
    assert settings.timeout == 120.0


def test_env_file_then_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env.staging").write_text(
        "# comment\nexport API_PORT=9000\nLOG_LEVEL='warning'\nTIMEOUT=30 # inline\nDEBUG=yes\n"
    )
    settings = load_settings({"ENVIRONMENT": "staging", "TIMEOUT": "45"}, config_dir=tmp_path)
    assert (settings.api_port, settings.log_level, settings.timeout, settings.debug) == (
        9000,
        "WARNING",
        45.0,
        True,
    )


def test_shipped_profiles_load() -> None:
    for environment in ("development", "staging", "test"):
        assert load_settings({"ENVIRONMENT": environment}).environment == environment
    production = {"ENVIRONMENT": "production", "AUTH_MODE": "none", "RESUME_TOKEN_SECRET": "s" * 32}
    settings = load_settings(production)
    assert settings.environment == "production"
    assert settings.reflection_enabled is False


def test_production_refuses_to_start_without_authentication() -> None:
    with pytest.raises(ConfigError, match="AUTH_MODE=none explicitly"):
        load_settings({"ENVIRONMENT": "production", "RESUME_TOKEN_SECRET": "s" * 32})
    with pytest.raises(ConfigError, match="RESUME_TOKEN_SECRET"):
        load_settings({"ENVIRONMENT": "production", "AUTH_MODE": "none"})
    # Replicas sharing Redis resume one another's streams: one signing key for all, always.
    with pytest.raises(ConfigError, match="same key"):
        load_settings({"ENVIRONMENT": "test", "REDIS_URL": "redis://127.0.0.1:6379/0"})
    # Development needs nothing: `make run` works without any of it.
    assert load_settings({"ENVIRONMENT": "development"}).auth_mode == "none"


def test_secrets_come_from_files(tmp_path: Path) -> None:
    secret = tmp_path / "resume"
    secret.write_text("from-a-mounted-secret\n", encoding="utf-8")
    settings = load_settings({"ENVIRONMENT": "test", "RESUME_TOKEN_SECRET_FILE": str(secret)})
    assert settings.resume_token_secret == "from-a-mounted-secret"
    assert "from-a-mounted-secret" not in repr(settings)
    with pytest.raises(ConfigError, match="not both"):
        load_settings(
            {"ENVIRONMENT": "test", "RESUME_TOKEN_SECRET_FILE": str(secret), "RESUME_TOKEN_SECRET": "x"}
        )
    with pytest.raises(ConfigError, match="OPENAI_API_KEY_FILE"):
        load_settings({"ENVIRONMENT": "test", "OPENAI_API_KEY_FILE": str(tmp_path / "missing")})


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"AUTH_MODE": "password"}, "AUTH_MODE"),
        ({"AUTH_MODE": "api_key"}, "API_KEYS"),
        ({"AUTH_MODE": "api_key", "API_KEYS": "keyid123 svc - sha256:not-hex"}, "API_KEYS entry 1"),
        ({"AUTH_MODE": "supabase"}, "SUPABASE_URL"),
        ({"AUTH_MODE": "mtls"}, "TLS_CLIENT_CA_FILE"),
        ({"TLS_CERT_FILE": "/nonexistent.pem", "TLS_KEY_FILE": "/nonexistent.key"}, "TLS_CERT_FILE"),
        ({"TLS_CERT_FILE": "/etc/hostname"}, "TLS_CERT_FILE"),
        ({"TRUSTED_PROXIES": "10.0.0.0/8,not-a-cidr"}, "TRUSTED_PROXIES"),
        ({"REDIS_URL": "http://redis"}, "REDIS_URL"),
        ({"MODEL_TOKENS_PER_DAY": "-1"}, "MODEL_TOKENS_PER_DAY"),
    ],
)
def test_identity_settings_are_validated(environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings({"ENVIRONMENT": "test", **environ})


def test_the_production_profile_follows_the_deployment_guide() -> None:
    keys = f"abcdefgh svc - sha256:{'0' * 64}"
    operator = {"AUTH_MODE": "api_key", "API_KEYS": keys, "RESUME_TOKEN_SECRET": "s" * 32}
    settings = load_settings({"ENVIRONMENT": "production", **operator})
    assert (settings.log_level, settings.debug, settings.rate_limit_enabled) == ("WARNING", False, True)
    assert settings.reflection_enabled is False


def test_a_config_dir_without_the_profile_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CONFIG_DIR"):
        load_settings({"ENVIRONMENT": "production", "CONFIG_DIR": str(tmp_path / "nope")})
    (tmp_path / ".env.staging").write_text("RATE_LIMIT_ENABLED=true\n")
    with pytest.raises(ConfigError, match="CONFIG_DIR"):
        load_settings({"ENVIRONMENT": "production", "CONFIG_DIR": str(tmp_path)})
    settings = load_settings({"ENVIRONMENT": "staging", "CONFIG_DIR": str(tmp_path)})
    assert settings.rate_limit_enabled


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("API_PORT", "eighty"),
        ("API_PORT", "70000"),
        ("TIMEOUT", "0"),
        ("DEBUG", "maybe"),
        ("LOG_LEVEL", "LOUD"),
        ("WORKERS", "-1"),
        ("ENVIRONMENT", "moon"),
        ("MAX_MESSAGE_BYTES", "10"),
        ("STORAGE_BACKEND", "ftp"),
        ("DETACH_GRACE", "-3"),
        ("ROLE", "boss"),
        ("QUEUE_PARTITIONS", "0"),
        ("JOB_LEASE", "0"),
        ("JOB_MAX_ATTEMPTS", "0"),
        ("LOG_MAX_RECORD_BYTES", "100"),
        ("LLM_BREAKER_THRESHOLD", "0"),
        ("LLM_BREAKER_COOLDOWN", "0"),
    ],
)
def test_invalid_values_name_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_settings({name: value}, config_dir=tmp_path)


def test_malformed_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env.development").write_text("API_PORT 9000\n")
    with pytest.raises(ConfigError, match=r"\.env\.development:1"):
        load_settings({}, config_dir=tmp_path)


def test_serve_refuses_to_start_on_bad_config() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deckgen.cli", "serve"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        env={"PATH": "", "ENVIRONMENT": "test", "API_PORT": "x"},
    )
    assert result.returncode == 2
    assert "API_PORT" in result.stderr


def test_a_split_role_needs_redis_and_a_bad_url_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="ROLE=api needs REDIS_URL"):
        load_settings({"ROLE": "api"}, config_dir=tmp_path)
    with pytest.raises(ConfigError, match="REDIS_URL") as caught:
        load_settings({"REDIS_URL": "http://user:hunter2@redis:6379"}, config_dir=tmp_path)
    assert "hunter2" not in str(caught.value)
    shared = {"REDIS_URL": "redis://:pw@redis:6379/0", "RESUME_TOKEN_SECRET": "s" * 32}
    settings = load_settings({**shared, "ROLE": "worker"}, config_dir=tmp_path)
    assert settings.role == "worker" and "pw" not in repr(settings)


def test_serve_role_flag_overrides_the_environment() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "deckgen.cli", "serve", "--role", "api"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "", "ENVIRONMENT": "test"},
    )
    assert result.returncode == 2
    assert "ROLE=api needs REDIS_URL" in result.stderr
