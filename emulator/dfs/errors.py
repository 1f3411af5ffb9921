"""DFS errors: each class carries the HTTP status and the document's ``Code``.

Only ``BadRequest``/``NA`` appears in the public document; the other Codes are the
.NET ``HttpStatusCode`` names (docs/fidelity.md, DFS Admin Services, **chosen**).
Every 4xx/5xx status has a Code (``STATUS_CODES``), so an error for any status
(a router miss, an injected fault) answers exactly that status.
"""

from __future__ import annotations


class DfsError(Exception):
    status: int = 500
    code: str = "InternalServerError"
    sub_code: str = "NA"
    default_message: str = "An unexpected error occurred"

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


# The .NET ``HttpStatusCode`` enum name of every status it names; statuses it does not
# name take their IANA reason phrase in the same PascalCase (418 ImATeapot, 425 TooEarly);
# a status with no registered phrase at all is ClientError / ServerError.
STATUS_CODES: dict[int, str] = {
    400: "BadRequest",
    401: "Unauthorized",
    402: "PaymentRequired",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    407: "ProxyAuthenticationRequired",
    408: "RequestTimeout",
    409: "Conflict",
    410: "Gone",
    411: "LengthRequired",
    412: "PreconditionFailed",
    413: "PayloadTooLarge",  # .NET names 413 RequestEntityTooLarge too; the emulator always answered this one
    414: "RequestUriTooLong",
    415: "UnsupportedMediaType",
    416: "RequestedRangeNotSatisfiable",
    417: "ExpectationFailed",
    418: "ImATeapot",
    421: "MisdirectedRequest",
    422: "UnprocessableEntity",
    423: "Locked",
    424: "FailedDependency",
    425: "TooEarly",
    426: "UpgradeRequired",
    428: "PreconditionRequired",
    429: "TooManyRequests",
    431: "RequestHeaderFieldsTooLarge",
    451: "UnavailableForLegalReasons",
    500: "InternalServerError",
    501: "NotImplemented",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
    505: "HttpVersionNotSupported",
    506: "VariantAlsoNegotiates",
    507: "InsufficientStorage",
    508: "LoopDetected",
    510: "NotExtended",
    511: "NetworkAuthenticationRequired",
}
UNNAMED_CLIENT_ERROR, UNNAMED_SERVER_ERROR = "ClientError", "ServerError"


def code_for_status(status: int) -> str:
    return STATUS_CODES.get(status) or (UNNAMED_CLIENT_ERROR if status < 500 else UNNAMED_SERVER_ERROR)


BY_STATUS: dict[int, type[DfsError]] = {
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
    """The error a status stands for (router misses, injected faults): exactly that
    status, with its Code; a status without a class of its own is a plain DfsError."""
    cls = BY_STATUS.get(status)
    if cls is not None:
        return cls(message)
    error = DfsError(message)
    error.status, error.code = status, code_for_status(status)
    return error
