"""Errors whose message is written for the user (Norwegian) and shown as-is on error pages.

Services raise these; framework exceptions only ever show a generic text.
"""

from __future__ import annotations

from litestar.exceptions import HTTPException


class UserFacingError(HTTPException):
    """Base class: ``detail`` is a complete sentence for the user."""

    status_code = 400


class Forbidden(UserFacingError):
    """The user may not do this (403)."""

    status_code = 403


class Conflict(UserFacingError):
    """Someone else got there first, or the item is in the wrong state (409)."""

    status_code = 409


class NotFound(UserFacingError):
    status_code = 404


class ValidationFailed(UserFacingError):
    """Input was invalid. ``errors`` maps field names to messages, for re-rendering forms."""

    status_code = 422

    def __init__(self, errors: dict[str, str], detail: str = "") -> None:
        self.errors = errors
        super().__init__(detail=detail or " ".join(errors.values()))
