"""The audit log's tamper evidence: the hash chain, its verification and its signing key."""
