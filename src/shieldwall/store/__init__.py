"""Store: where state is kept, behind repository protocols (:mod:`.protocols`).

Applications and stages see only the protocols; :mod:`.sql` implements them with
SQLAlchemy on SQLite (the embedded default) and PostgreSQL, :mod:`.migrations` holds the one
Alembic history both run, and :mod:`.audit` the hash chain and signatures that make the
audit log tamper-evident. Only ``runtime`` opens a concrete store.
"""
