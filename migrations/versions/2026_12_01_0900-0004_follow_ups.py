"""answer.follow_up: the reply to an interviewer's follow-up; mock_attempt.follow_ups: whether one is asked

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answer") as batch_op:
        batch_op.add_column(sa.Column("follow_up", sa.JSON(), nullable=True))
    with op.batch_alter_table("mock_attempt") as batch_op:
        batch_op.add_column(sa.Column("follow_ups", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("mock_attempt") as batch_op:
        batch_op.drop_column("follow_ups")
    with op.batch_alter_table("answer") as batch_op:
        batch_op.drop_column("follow_up")
