"""The audit log's tamper evidence: the hash chain, its verification and its signing key.

Each entry's SHA-256 covers its content and the previous entry's hash (:mod:`.chain`); an
Ed25519 key in the data directory signs checkpoints and the chain's head (:mod:`.signing`).
Kept apart from the SQL code so that verification runs over plain values from any store.
"""
