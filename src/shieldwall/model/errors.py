"""The one exception tree of Shieldwall.

Every error raised on purpose by Shieldwall code derives from :class:`ShieldwallError`,
so the entry points (CLI, API) can turn it into a clear message or a problem document
without catching broad ``Exception``::

    ShieldwallError
    ├── ConfigError          bad or unsafe settings; names the key
    ├── InputError           bad input; names the input and the place (file, record, field)
    │   ├── RuleError        a detection rule that cannot be loaded or compiled
    │   ├── RuleSetError     a rule text refused, with every load error it has
    │   ├── BudgetExceededError  input that would cost more than its budget (a backtracking
    │   │                    regular expression, a YAML alias bomb); names the input
    │   └── LimitExceededError  input larger than a documented limit (batch size); names it
    ├── NotFoundError        absent, or present but not visible to the principal (no oracle)
    ├── AuthenticationError  no or bad credentials
    ├── RateLimitedError     too many attempts; says when to try again
    ├── PermissionDeniedError  authenticated but the role may not do this (own organisation only)
    ├── ConflictError        uniqueness or version conflict
    ├── StoreError           the database is unreachable or refused an operation
    ├── BusError             the message bus is unreachable or refused an operation
    └── IntegrityError       tamper evidence: an audit chain or signature does not verify
"""

from __future__ import annotations


class ShieldwallError(Exception):
    """Root of every error Shieldwall raises on purpose."""


class ConfigError(ShieldwallError):
    """Settings are missing, malformed or unsafe. The message names the key."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"setting {key}: {reason}")
        self.key = key
        self.reason = reason


class InputError(ShieldwallError):
    """Input is malformed. ``source`` names the input, ``place`` where in it."""

    def __init__(self, reason: str, *, source: str = "", place: str = "") -> None:
        where = ":".join(part for part in (source, place) if part)
        super().__init__(f"{where}: {reason}" if where else reason)
        self.reason = reason
        self.source = source
        self.place = place

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole (checks made in worker processes travel back intact)."""
        return (_input_error, (type(self), self.reason, self.source, self.place))


def _input_error(cls: type[InputError], reason: str, source: str, place: str) -> InputError:
    error = InputError.__new__(cls)
    InputError.__init__(error, reason, source=source, place=place)
    return error


class RuleError(InputError):
    """A detection rule could not be loaded or compiled."""

    def __init__(self, reason: str, *, source: str = "", rule_id: str = "") -> None:
        super().__init__(reason, source=source, place=rule_id)
        self.rule_id = rule_id

    def __reduce__(self) -> tuple[object, ...]:
        return (_rule_error, (self.reason, self.source, self.rule_id))


def _rule_error(reason: str, source: str, rule_id: str) -> RuleError:
    return RuleError(reason, source=source, rule_id=rule_id)


class RuleSetError(InputError):
    """A rule text refused as a whole; ``problems`` lists every load error, not the first."""

    def __init__(self, reason: str, problems: tuple[RuleError, ...]) -> None:
        super().__init__(reason, source="rule")
        self.problems = problems

    def __reduce__(self) -> tuple[object, ...]:
        return (RuleSetError, (self.reason, self.problems))


class BudgetExceededError(InputError):
    """Input that would cost more time or memory than its budget allows.

    A member's regular expression that backtracks past its time budget, a YAML file whose
    aliases expand past the size budget: refused or disabled, naming the input, never run
    to the end.
    """


class LimitExceededError(InputError):
    """Input larger than one of the documented limits; ``limit`` names it (a setting or a
    constant), so the sender knows what to split rather than what to fix."""

    def __init__(self, reason: str, *, limit: str, source: str = "", place: str = "") -> None:
        super().__init__(reason, source=source, place=place)
        self.limit = limit

    def __reduce__(self) -> tuple[object, ...]:
        return (_limit_exceeded, (self.reason, self.limit, self.source, self.place))


def _limit_exceeded(reason: str, limit: str, source: str, place: str) -> LimitExceededError:
    return LimitExceededError(reason, limit=limit, source=source, place=place)


class NotFoundError(ShieldwallError):
    """The object does not exist or the principal may not know that it exists."""


class AuthenticationError(ShieldwallError):
    """Credentials are missing, malformed, expired or revoked."""


class RateLimitedError(ShieldwallError):
    """Too many attempts (failed logins, say); ``retry_after`` is in whole seconds.

    ``limit`` names the limit reached (a setting) when there is one to name."""

    def __init__(self, reason: str, *, retry_after: int, limit: str = "") -> None:
        super().__init__(reason)
        self.retry_after = retry_after
        self.limit = limit

    def __reduce__(self) -> tuple[object, ...]:
        return (_rate_limited, (str(self), self.retry_after, self.limit))


def _rate_limited(reason: str, retry_after: int, limit: str = "") -> RateLimitedError:
    return RateLimitedError(reason, retry_after=retry_after, limit=limit)


class PermissionDeniedError(ShieldwallError):
    """The principal's role does not allow the action on an object it may see."""


class ConflictError(ShieldwallError):
    """The write conflicts with existing state (duplicate key, stale version)."""


class StoreError(ShieldwallError):
    """The database is unreachable or refused an operation."""


class BusError(ShieldwallError):
    """The message bus is unreachable or refused an operation."""


class IntegrityError(ShieldwallError):
    """Tamper evidence: a hash chain or a signature does not verify."""
