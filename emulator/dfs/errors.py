"""DFS errors: each class carries the HTTP status and the document's ``Code``.

Only ``BadRequest``/``NA`` appears in the public document; the other Codes are the
.NET ``HttpStatusCode`` names (docs/fidelity.md, DFS Admin Services, **chosen**).
"""

from __future__ import annotations


class DfsError(Exception):
    status = 500
    code = "InternalServerError"
    sub_code = "NA"
    default_message = "An unexpected error occurred"

    def __init__(self, message: str = "") -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message


class BadRequest(DfsError):
    status, code = 400, "BadRequest"
    default_message = "The request was not in the required format"


class Unauthorized(DfsError):
    status, code = 401, "Unauthorized"
    default_message = "The request requires a valid Bearer token"


class Forbidden(DfsError):
    status, code = 403, "Forbidden"
    default_message = "The caller may not access this resource"


class NotFound(DfsError):
    status, code = 404, "NotFound"
    default_message = "The resource was not found"


class MethodNotAllowed(DfsError):
    status, code = 405, "MethodNotAllowed"


class PayloadTooLarge(DfsError):
    status, code = 413, "PayloadTooLarge"


class Unprocessable(DfsError):
    status, code = 422, "UnprocessableEntity"
    default_message = "The request could not be processed"


class InternalServerError(DfsError):
    pass


BY_STATUS = {
    cls.status: cls
    for cls in (
        BadRequest,
        Unauthorized,
        Forbidden,
        NotFound,
        MethodNotAllowed,
        PayloadTooLarge,
        Unprocessable,
        InternalServerError,
    )
}


def error_for_status(status: int, message: str) -> DfsError:
    return BY_STATUS.get(status, BadRequest if 400 <= status < 500 else InternalServerError)(message)
