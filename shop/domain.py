"""Errors that services raise and views turn into messages for the person in front of the screen."""

from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request. `message` is already in the user's language (a lazy string)."""

    code = "domain_error"

    def __init__(self, message, **details):
        super().__init__(str(message))
        self.message = message
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class InvalidQuantity(DomainError):
    code = "invalid_quantity"


class OutOfStock(DomainError):
    code = "out_of_stock"


class NotForSale(DomainError):
    code = "not_for_sale"
