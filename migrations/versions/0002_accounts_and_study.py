"""accounts and study

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:03:16.081911

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():

    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('is_guest', sa.Boolean(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('desired_retention', sa.Float(), nullable=False),
    sa.Column('maximum_interval_days', sa.Integer(), nullable=False),
    sa.Column('new_per_day', sa.Integer(), nullable=False),
    sa.Column('reviews_per_day', sa.Integer(), nullable=False),
    sa.Column('cards_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('card_progress',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('new_rank', sa.Integer(), nullable=False),
    sa.Column('phase', sa.String(length=12), nullable=False),
    sa.Column('due', sa.DateTime(timezone=True), nullable=True),
    sa.Column('stability', sa.Float(), nullable=True),
    sa.Column('difficulty', sa.Float(), nullable=True),
    sa.Column('last_review', sa.DateTime(timezone=True), nullable=True),
    sa.Column('scheduled_days', sa.Integer(), nullable=False),
    sa.Column('remaining_steps', sa.Integer(), nullable=False),
    sa.Column('reps', sa.Integer(), nullable=False),
    sa.Column('lapses', sa.Integer(), nullable=False),
    sa.Column('suspended', sa.Boolean(), nullable=False),
    sa.Column('leech', sa.Boolean(), nullable=False),
    sa.Column('buried_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_card_progress_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_id'], ['content_sets.id'], name=op.f('fk_card_progress_set_id_content_sets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_card_progress_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_progress')),
    sa.UniqueConstraint('user_id', 'card_id', name='uq_card_progress_user_id_card_id')
    )
    with op.batch_alter_table('card_progress', schema=None) as batch_op:
        batch_op.create_index('ix_card_progress_new', ['user_id', 'suspended', 'retired', 'phase', 'new_rank'], unique=False)
        batch_op.create_index('ix_card_progress_queue', ['user_id', 'suspended', 'retired', 'phase', 'due'], unique=False)
        batch_op.create_index('ix_card_progress_set', ['user_id', 'set_id', 'phase', 'due'], unique=False)

    op.create_table('review_logs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('card_id', sa.Integer(), nullable=False),
    sa.Column('progress_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('phase_before', sa.String(length=12), nullable=False),
    sa.Column('phase_after', sa.String(length=12), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False),
    sa.Column('state_before', sa.JSON(), nullable=False),
    sa.Column('state_after', sa.JSON(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['card_id'], ['cards.id'], name=op.f('fk_review_logs_card_id_cards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['progress_id'], ['card_progress.id'], name=op.f('fk_review_logs_progress_id_card_progress'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_review_logs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_logs'))
    )
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.create_index('ix_review_logs_user_card', ['user_id', 'card_id'], unique=False)
        batch_op.create_index('ix_review_logs_user_time', ['user_id', 'reviewed_at'], unique=False)

    with op.batch_alter_table('sync_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cards_version', sa.Integer(), server_default='0', nullable=False))




def downgrade():

    with op.batch_alter_table('sync_lock', schema=None) as batch_op:
        batch_op.drop_column('cards_version')

    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_index('ix_review_logs_user_time')
        batch_op.drop_index('ix_review_logs_user_card')

    op.drop_table('review_logs')
    with op.batch_alter_table('card_progress', schema=None) as batch_op:
        batch_op.drop_index('ix_card_progress_set')
        batch_op.drop_index('ix_card_progress_queue')
        batch_op.drop_index('ix_card_progress_new')

    op.drop_table('card_progress')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')

