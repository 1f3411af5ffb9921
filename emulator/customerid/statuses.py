"""User statuses (spec README, "CustomerID user statuses"): what the models' rules and the SSO
(only an Enabled user logs in) share, so neither imports the other for them."""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidArguments


@dataclass(frozen=True)
class UserStatus:
    code: int
    name: str
    technical_name: str | None


PENDING = UserStatus(0, "Pending", "pending")
ENABLED = UserStatus(1, "Enabled", "enabled")
DISABLED = UserStatus(2, "Disabled", "disabled")
LOCKED = UserStatus(3, "Locked", "locked")
NOT_INITIALIZED = UserStatus(4, "Not initialized", None)
WAITING_FOR_REGISTRATION = UserStatus(5, "Waiting for registration", "waiting_for_registration")

STATUSES: tuple[UserStatus, ...] = (PENDING, ENABLED, DISABLED, LOCKED, NOT_INITIALIZED, WAITING_FOR_REGISTRATION)
BY_CODE = {status.code: status for status in STATUSES}

# Searches accept the name, the code or the technical name, in any case.
_SPELLINGS: dict[str, UserStatus] = {}
for _status in STATUSES:
    _SPELLINGS[str(_status.code)] = _status
    _SPELLINGS[_status.name.casefold()] = _status
    if _status.technical_name:
        _SPELLINGS[_status.technical_name] = _status

# PUT103 / PATCH124: "Set the user status Enabled or Disabled".
SETTABLE = (ENABLED, DISABLED)


def parse_status(value: str) -> UserStatus:
    status = _SPELLINGS.get(value.strip().casefold())
    if status is None:
        raise InvalidArguments(f"unknown user status {value!r}")
    return status
