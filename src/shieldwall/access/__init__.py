"""Identity and access: organisations, people, tokens, logins, communities, the audit log.

Every front end asks this package who a caller is (:func:`authenticate`, :func:`login`,
behind a throttle of failed logins) and goes through it to administer members: it checks
each administrative action with :mod:`shieldwall.policy.roles` and writes it to the audit
log in the same transaction, so the front ends hold no rule of their own.
"""
