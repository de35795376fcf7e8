"""The HTTP API: REST under ``/api/v1`` and TAXII 2.1 under ``/taxii2``.

Thin by rule: a route validates its input, takes the caller from the bearer token
(:mod:`shieldwall.access`), calls one public function of an application package
(:mod:`shieldwall.access`, :mod:`shieldwall.share`) and renders the answer. Every refusal
is an RFC 9457 problem document; an object the caller may not see is answered exactly like
an absent one. The web pages are a separate front end; :mod:`shieldwall.server` serves both.
"""

from shieldwall.api.app import create_app

__all__ = ["create_app"]
