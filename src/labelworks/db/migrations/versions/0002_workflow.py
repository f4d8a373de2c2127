"""workflow: lifecycle events; labeling rounds on tasks and assignments

Revision ID: 0002_workflow
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import labelworks.db.types

revision = "0002_workflow"
down_revision = "0001"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=10), nullable=False),
        sa.Column("task_seq", BigId, nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=True),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", labelworks.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["orgs.id"], name=op.f("fk_events_org_id_orgs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["task_seq"], ["tasks.seq"], name=op.f("fk_events_task_seq_tasks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["batches.id"],
            name=op.f("fk_events_batch_id_batches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_events_org_id_task_seq_id"), ["org_id", "task_seq", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_events_org_id_batch_id_id"), ["org_id", "batch_id", "id"], unique=False
        )
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="0", nullable=False))
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.add_column(sa.Column("round", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("uq_assignments_task_seq_user_id_stage", type_="unique")
        batch_op.create_unique_constraint(
            "uq_assignments_task_seq_user_id_stage_round", ["task_seq", "user_id", "stage", "round"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assignments") as batch_op:
        batch_op.drop_constraint("uq_assignments_task_seq_user_id_stage_round", type_="unique")
        batch_op.create_unique_constraint(
            "uq_assignments_task_seq_user_id_stage", ["task_seq", "user_id", "stage"]
        )
        batch_op.drop_column("round")
    with op.batch_alter_table("tasks") as batch_op:
        batch_op.drop_column("round")
    op.drop_table("events")
