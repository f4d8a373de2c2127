"""confidentiality: conflict walls, wall requests, worked-for marks, break-glass grants, scoped
API keys

Revision ID: 0009_walls
Revises: 0005_fidelity
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import labelworks.db.types

revision = "0009_walls"
down_revision = "0008_export_jobs"
branch_labels = None
depends_on = None

When = labelworks.db.types.UTCDateTime(timezone=True)


def _org_fk(table: str, column: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["orgs.id"], name=op.f(f"fk_{table}_{column}_orgs"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.add_column(
        "api_keys",
        sa.Column("read_only", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("api_keys", sa.Column("projects", sa.JSON(), nullable=True))
    op.create_table(
        "conflict_walls",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_a_id", sa.Integer(), nullable=False),
        sa.Column("org_b_id", sa.Integer(), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("created_at", When, nullable=False),
        _org_fk("conflict_walls", "org_a_id"),
        _org_fk("conflict_walls", "org_b_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_walls")),
        sa.UniqueConstraint(
            "org_a_id", "org_b_id", name=op.f("uq_conflict_walls_org_a_id_org_b_id")
        ),
    )
    op.create_index(op.f("ix_conflict_walls_org_b_id"), "conflict_walls", ["org_b_id"])
    op.create_table(
        "wall_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        sa.Column("created_at", When, nullable=False),
        _org_fk("wall_requests", "org_id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wall_requests")),
        sa.UniqueConstraint("org_id", "name_key", name=op.f("uq_wall_requests_org_id_name_key")),
    )
    op.create_index(op.f("ix_wall_requests_name_key"), "wall_requests", ["name_key"])
    op.create_table(
        "worked_orgs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("last_at", When, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_worked_orgs_user_id_users"), ondelete="CASCADE"
        ),
        _org_fk("worked_orgs", "org_id"),
        sa.PrimaryKeyConstraint("user_id", "org_id", name=op.f("pk_worked_orgs")),
    )
    # Work done before this migration counts against walls too.
    op.execute(
        "INSERT INTO worked_orgs (user_id, org_id, last_at) "
        "SELECT user_id, org_id, MAX(COALESCE(submitted_at, created_at)) FROM assignments "
        "GROUP BY user_id, org_id"
    )
    op.create_table(
        "breakglass_grants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("operator_user_id", sa.Integer(), nullable=True),
        sa.Column("operator", sa.String(320), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", When, nullable=False),
        sa.Column("expires_at", When, nullable=False),
        _org_fk("breakglass_grants", "org_id"),
        sa.ForeignKeyConstraint(
            ["operator_user_id"],
            ["users.id"],
            name=op.f("fk_breakglass_grants_operator_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakglass_grants")),
    )
    op.create_index(
        op.f("ix_breakglass_grants_org_id_expires_at"),
        "breakglass_grants",
        ["org_id", "expires_at"],
    )


def downgrade() -> None:
    op.drop_table("breakglass_grants")
    op.drop_table("worked_orgs")
    op.drop_table("wall_requests")
    op.drop_table("conflict_walls")
    with op.batch_alter_table("api_keys") as batch:
        batch.drop_column("projects")
        batch.drop_column("read_only")
