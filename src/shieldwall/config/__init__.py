"""Typed settings, loaded once at start-up and passed down (never read from globals)."""

from shieldwall.config.settings import Settings, load_settings

__all__ = ["Settings", "load_settings"]
