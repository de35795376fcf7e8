"""One person per e-mail address however it is spelt: ``people.email_key``, unique.

Revision ID: 0008
Revises: 0007

The key is :func:`shieldwall.model.emails.email_key` of the address. People created
before this revision as spellings of one address (``Pat@x`` beside ``pat@x``) cannot
all hold the key: the oldest keeps it; each later one gets ``dup:<its id>:<key>``, keeps
its tokens, and can no longer be found by e-mail (nor log in with a password). Each is
named in a warning so an operator can merge or remove it.
"""

import logging

import sqlalchemy as sa
from alembic import op

from shieldwall.model.emails import email_key

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    op.add_column(
        "people",
        sa.Column("email_key", sa.String(320), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, email FROM people ORDER BY created_at, id")
    ).all()
    taken: set[str] = set()
    for person_id, email in rows:
        key = email_key(email)
        if key in taken:
            log.warning("person %s spells the address of an older person: %s", person_id, key)
            key = f"dup:{person_id}:{key}"
        taken.add(key)
        connection.execute(
            sa.text("UPDATE people SET email_key = :key WHERE id = :id"),
            {"key": key, "id": person_id},
        )
    if connection.dialect.name == "postgresql":
        op.alter_column("people", "email_key", server_default=None)
    op.create_index("uq_people_email_key", "people", ["email_key"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_people_email_key", table_name="people")
    op.drop_column("people", "email_key")  # SQLite 3.35+: in place, the table kept
