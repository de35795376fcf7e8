"""The gate's directory read from the store, fresh for every request.

It lives with the gate (:mod:`shieldwall.policy.store_directory`), shared by every
application that asks the gate over the store; this name stays for the modules of
``share`` that import it from here.
"""

from __future__ import annotations

from shieldwall.policy.store_directory import StoreDirectory

__all__ = ["StoreDirectory"]
