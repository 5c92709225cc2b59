"""Errors that services raise and the edges translate into GOV.UK error summaries or JSON."""


class ApplicationError(Exception):
    """A rule of the service was broken; the message is written for the person using it."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(ApplicationError):
    """The record changed after the user read it (someone else got there first). The user should look again before
    trying once more; the API answers 409 Conflict rather than 400."""
