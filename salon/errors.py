"""Domain errors raised by services. They know nothing of HTTP: the API's one
exception handler (``salon.rest.exception_handler``) maps each class to a status.
"""


class DomainError(Exception):
    """A use case refused. ``code`` is stable and machine-readable; ``detail``
    is for people; ``fields`` maps field names to messages."""

    default_code = "invalid"
    default_detail = "The request could not be carried out."

    def __init__(self, detail: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.detail = detail or self.default_detail
        self.code = code or self.default_code
        self.fields = fields or {}
        super().__init__(self.detail)


class InvalidInput(DomainError):
    """The input breaks a rule (400)."""


class Conflict(DomainError):
    """The input is fine but clashes with what is stored, e.g. a therapist
    already busy or a status that does not allow the change (409)."""

    default_code = "conflict"
    default_detail = "The request conflicts with the current state."


class NotFound(DomainError):
    default_code = "not_found"
    default_detail = "Not found."
