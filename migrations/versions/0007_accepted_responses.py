"""responses an instructor accepted for everyone

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 04:00:00.000000

One row per card and normalised response; quizzes and study grade these as accepted answers.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('accepted_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.String(length=500), nullable=False),
    sa.Column('normalised', sa.String(length=500), nullable=False),
    sa.Column('accepted_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['accepted_by'], ['users.id'], name=op.f('fk_accepted_responses_accepted_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_accepted_responses_card_id_cards'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accepted_responses')),
    sa.UniqueConstraint('card_id', 'normalised', name='uq_accepted_responses_card_normalised')
    )


def downgrade():
    op.drop_table('accepted_responses')
