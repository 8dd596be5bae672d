"""quiz questions remember when their answer reached the scheduler

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-23 10:00:00.000000

A submitted attempt's answers are graded in the same transaction that marks each question graded,
so a retried submit grades exactly what is left. Attempts submitted before this revision count as
graded where the quiz review is in the log (same learner and card, at the submission time) or the
question was not answered; answered questions whose review is missing (lost to a race before
this fix) stay ungraded, and the next submit of that attempt grades them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = "0005"
branch_labels = None
depends_on = None


BACKFILL = sa.text("""
UPDATE quiz_questions
SET graded_at = (SELECT a.submitted_at FROM quiz_attempts a WHERE a.id = quiz_questions.attempt_id)
WHERE EXISTS (
    SELECT 1 FROM quiz_attempts a
    WHERE a.id = quiz_questions.attempt_id
      AND a.submitted_at IS NOT NULL
      AND (
        quiz_questions.answer IS NULL
        OR CAST(quiz_questions.answer AS TEXT) = 'null'
        OR EXISTS (
            SELECT 1 FROM review_logs l
            WHERE l.source = 'quiz'
              AND l.user_id = a.user_id
              AND l.card_id = quiz_questions.card_id
              AND l.reviewed_at = a.submitted_at
        )
      )
)
""")


def upgrade():
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('graded_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('quiz_questions', schema=None) as batch_op:
        batch_op.drop_column('graded_at')
