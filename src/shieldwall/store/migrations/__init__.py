"""Alembic migrations: the one schema history that SQLite and PostgreSQL both run.

``store.migrate`` applies them at start-up; a test compares the migrated schema with
``store/sql/tables.py`` on both databases, so the two never drift apart.
"""
