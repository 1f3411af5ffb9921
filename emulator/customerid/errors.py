"""CustomerID error codes (customerid-response-messages.txt, "Error Codes").

The vendor pages number the list from 1; the 1.0 text refers to "error code 12"
for Size limit exceeded, so ``<code>`` carries the number and ``<message>`` the
code's name plus what went wrong. The HTTP status per code is our choice where the
docs are silent; docs/fidelity.md has the table.
"""

from __future__ import annotations

import re

# Characters an XML 1.0 document cannot carry (C0 controls other than tab, LF and
# CR; lone surrogates; U+FFFE/U+FFFF). Details quote request input (an id from the
# path, a parameter name), so they are shown escaped, or the error document
# itself would not be well-formed.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub(
        lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"\\u{ord(match.group()):04x}",
        text,
    )


class CustomerIdError(Exception):
    code: int = 6
    title: str = "Internal server error"
    status: int = 500

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.title)
        self.detail = detail

    @property
    def message(self) -> str:
        return f"{self.title}: {_xml_safe(self.detail)}" if self.detail else self.title


class InvalidArguments(CustomerIdError):
    code, title, status = 1, "Invalid arguments", 400


class AuthenticationFailed(CustomerIdError):
    code, title, status = 2, "Authentication failed", 401


class Unauthorized(CustomerIdError):
    code, title, status = 3, "Unauthorized", 403


class AlreadyExists(CustomerIdError):
    code, title, status = 4, "Already exists", 409


class ParentNotFound(CustomerIdError):
    code, title, status = 5, "Parent not found", 404


class InternalServerError(CustomerIdError):
    code, title, status = 6, "Internal server error", 500


class EntityNotFound(CustomerIdError):
    code, title, status = 7, "Entity not found", 404


class ParentNotVirtual(CustomerIdError):
    code, title, status = 8, "Parent not virtual", 400


class ParentNotNonVirtual(CustomerIdError):
    code, title, status = 9, "Parent not non-virtual", 400


class InvalidReference(CustomerIdError):
    code, title, status = 10, "Invalid reference", 400


class SizeLimitExceeded(CustomerIdError):
    code, title, status = 12, "Size limit exceeded", 400


class MethodNotAllowed(CustomerIdError):
    code, title, status = 13, "Method not allowed", 405


class ClientError(CustomerIdError):
    code, title, status = 14, "Client error", 400


ERROR_FOR_STATUS: dict[int, type[CustomerIdError]] = {
    400: InvalidArguments,
    401: AuthenticationFailed,
    403: Unauthorized,
    404: EntityNotFound,
    405: MethodNotAllowed,
    409: AlreadyExists,
    413: InvalidArguments,
    415: InvalidArguments,
    500: InternalServerError,
}


def error_for_status(status: int, detail: str = "") -> CustomerIdError:
    """The error a given HTTP status stands for (router misses, injected faults)."""
    cls = ERROR_FOR_STATUS.get(status)
    if cls is None:
        cls = ClientError if 400 <= status < 500 else InternalServerError
    error = cls(detail)
    error.status = status
    return error
