"""answers, mock interviews, spaced review and progress imports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _learner_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["learner_id"], ["learner.id"], name=op.f(f"fk_{table}_learner_id_learner"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("submission_key", sa.String(length=64), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("grading", sa.JSON(), nullable=True),
        sa.Column("self_grade", sa.String(length=8), nullable=True),
        sa.Column("self_graded_at", _utc(), nullable=True),
        sa.Column("answered_at", _utc(), nullable=False),
        _learner_fk("answer"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer")),
        sa.UniqueConstraint("learner_id", "submission_key", name=op.f("uq_answer_learner_id_submission_key")),
    )
    with op.batch_alter_table("answer") as batch_op:
        batch_op.create_index(batch_op.f("ix_answer_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "mock_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("lessons", sa.JSON(), nullable=False),
        sa.Column("types", sa.JSON(), nullable=False),
        sa.Column("time_limit_s", sa.Integer(), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("deadline_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("finish_reason", sa.String(length=16), nullable=True),
        _learner_fk("mock_attempt"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_attempt")),
        sa.UniqueConstraint("key", name=op.f("uq_mock_attempt_key")),
    )
    with op.batch_alter_table("mock_attempt") as batch_op:
        batch_op.create_index(batch_op.f("ix_mock_attempt_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "mock_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.Column("shown_at", _utc(), nullable=True),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answer.id"], name=op.f("fk_mock_item_answer_id_answer"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["mock_attempt.id"], name=op.f("fk_mock_item_attempt_id_mock_attempt"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mock_item")),
        sa.UniqueConstraint("answer_id", name=op.f("uq_mock_item_answer_id")),
        sa.UniqueConstraint("attempt_id", "position", name=op.f("uq_mock_item_attempt_id_position")),
    )
    with op.batch_alter_table("mock_item") as batch_op:
        batch_op.create_index(batch_op.f("ix_mock_item_attempt_id"), ["attempt_id"], unique=False)

    op.create_table(
        "review_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("state", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("stability", sa.Double(), nullable=True),
        sa.Column("difficulty", sa.Double(), nullable=True),
        sa.Column("due_at", _utc(), nullable=False),
        sa.Column("last_review_at", _utc(), nullable=True),
        _learner_fk("review_card"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_card")),
        sa.UniqueConstraint("learner_id", "question_id", name=op.f("uq_review_card_learner_id_question_id")),
    )
    with op.batch_alter_table("review_card") as batch_op:
        batch_op.create_index("ix_review_card_learner_id_due_at", ["learner_id", "due_at"], unique=False)

    op.create_table(
        "review_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=True),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("reviewed_at", _utc(), nullable=False),
        sa.Column("logged_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"], ["answer.id"], name=op.f("fk_review_log_answer_id_answer"), ondelete="SET NULL"
        ),
        _learner_fk("review_log"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_log")),
    )
    with op.batch_alter_table("review_log") as batch_op:
        batch_op.create_index(batch_op.f("ix_review_log_learner_id"), ["learner_id"], unique=False)

    op.create_table(
        "progress_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.String(length=32), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("imported_at", _utc(), nullable=False),
        _learner_fk("progress_import"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_import")),
        sa.UniqueConstraint("learner_id", "digest", name=op.f("uq_progress_import_learner_id_digest")),
    )


def downgrade() -> None:
    op.drop_table("progress_import")
    with op.batch_alter_table("review_log") as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_log_learner_id"))
    op.drop_table("review_log")
    with op.batch_alter_table("review_card") as batch_op:
        batch_op.drop_index("ix_review_card_learner_id_due_at")
    op.drop_table("review_card")
    with op.batch_alter_table("mock_item") as batch_op:
        batch_op.drop_index(batch_op.f("ix_mock_item_attempt_id"))
    op.drop_table("mock_item")
    with op.batch_alter_table("mock_attempt") as batch_op:
        batch_op.drop_index(batch_op.f("ix_mock_attempt_learner_id"))
    op.drop_table("mock_attempt")
    with op.batch_alter_table("answer") as batch_op:
        batch_op.drop_index(batch_op.f("ix_answer_learner_id"))
    op.drop_table("answer")
