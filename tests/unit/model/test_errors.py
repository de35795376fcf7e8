"""The exception tree: every deliberate error derives from one root and names its place."""

import pytest

from shieldwall.model import errors


@pytest.mark.parametrize(
    "cls",
    [
        errors.ConfigError,
        errors.InputError,
        errors.RuleError,
        errors.BudgetExceededError,
        errors.NotFoundError,
        errors.AuthenticationError,
        errors.PermissionDeniedError,
        errors.ConflictError,
        errors.StoreError,
        errors.BusError,
        errors.IntegrityError,
    ],
)
def test_every_error_derives_from_the_root(cls: type[Exception]) -> None:
    assert issubclass(cls, errors.ShieldwallError)


def test_input_error_names_source_and_place() -> None:
    err = errors.InputError("not JSON", source="logs/a.jsonl", place="line 7")
    assert str(err) == "logs/a.jsonl:line 7: not JSON"


def test_config_error_names_the_key() -> None:
    err = errors.ConfigError("SHIELDWALL_DATABASE_URL", "unknown scheme 'ftp'")
    assert "SHIELDWALL_DATABASE_URL" in str(err)
    assert err.key == "SHIELDWALL_DATABASE_URL"
