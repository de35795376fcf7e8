"""The REST routes under ``/api/v1``, one module per resource.

Each route validates its input with the models of :mod:`shieldwall.api.schemas`, takes the
caller from :mod:`shieldwall.api.deps` and calls one public function of an application.
"""
