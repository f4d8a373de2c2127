"""The access trail: a per-org hash chain of every access to the org's content.

Revision ID: 0010_access_trail
Revises: 0005_fidelity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_access_trail"
down_revision = "0009_walls"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trail_heads",
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_trail_heads_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("org_id", name="pk_trail_heads"),
    )
    op.create_table(
        "trail_records",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor_kind", sa.String(12), nullable=False),
        sa.Column("actor_id", sa.String(64), nullable=True),
        sa.Column("role", sa.String(20), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("object_type", sa.String(20), nullable=True),
        sa.Column("object_ids", sa.Text(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name="fk_trail_records_org_id_orgs", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_trail_records"),
        sa.UniqueConstraint("org_id", "seq", name="uq_trail_records_org_id_seq"),
    )
    op.create_index(
        "ix_trail_records_org_id_actor_kind_seq", "trail_records", ["org_id", "actor_kind", "seq"]
    )
    op.create_index(
        "ix_trail_records_org_id_action_seq", "trail_records", ["org_id", "action", "seq"]
    )


def downgrade() -> None:
    op.drop_table("trail_records")
    op.drop_table("trail_heads")
