"""learner and lesson progress

Revision ID: 0001
Revises:
Create Date: 2026-11-28 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "learner",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_learner")),
    )
    op.create_table(
        "lesson_progress",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("lesson_slug", sa.String(length=80), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["learner.id"],
            name=op.f("fk_lesson_progress_learner_id_learner"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesson_progress")),
        sa.UniqueConstraint("learner_id", "lesson_slug", name=op.f("uq_lesson_progress_learner_id_lesson_slug")),
    )
    with op.batch_alter_table("lesson_progress") as batch_op:
        batch_op.create_index(batch_op.f("ix_lesson_progress_learner_id"), ["learner_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lesson_progress") as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesson_progress_learner_id"))
    op.drop_table("lesson_progress")
    op.drop_table("learner")
