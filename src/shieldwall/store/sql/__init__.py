"""SQLAlchemy implementations of the repository protocols (SQLite and PostgreSQL)."""
