"""Alembic revisions, numbered in order; each runs unchanged on SQLite and PostgreSQL."""
