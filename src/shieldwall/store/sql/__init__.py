"""SQLAlchemy implementations of the repository protocols, for SQLite and PostgreSQL.

One schema (:mod:`.tables`) and one set of repositories serve both databases; the engine
(:mod:`.engine`) sets SQLite up for durability (WAL, ``synchronous=FULL``). Every write runs
in one transaction together with its audit entry (:mod:`.store`), so nothing is half-written.
"""
