"""personal FSRS parameters and card browser actions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 01:30:00.000000

Each learner's own FSRS parameters and how well they fit, a class's pooled parameters, and the
log of bulk card-browser actions (for undo). Existing users keep FSRS's default parameters.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('card_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_card_actions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_card_actions'))
    )
    with op.batch_alter_table('card_actions', schema=None) as batch_op:
        batch_op.create_index('ix_card_actions_user_time', ['user_id', 'created_at'], unique=False)

    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fsrs_params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('fsrs_optimized_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fsrs_review_count', sa.Integer(), nullable=False, server_default='0'))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('fsrs_params', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('fsrs_params_source', sa.String(length=10), nullable=False, server_default='default'))
        batch_op.add_column(sa.Column('fsrs_optimized_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('fsrs_review_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('fsrs_log_loss', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('fsrs_rmse_bins', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('fsrs_auto_optimize', sa.Boolean(), nullable=False, server_default=sa.false()))

def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('fsrs_auto_optimize')
        batch_op.drop_column('fsrs_rmse_bins')
        batch_op.drop_column('fsrs_log_loss')
        batch_op.drop_column('fsrs_review_count')
        batch_op.drop_column('fsrs_optimized_at')
        batch_op.drop_column('fsrs_params_source')
        batch_op.drop_column('fsrs_params')

    with op.batch_alter_table('classes', schema=None) as batch_op:
        batch_op.drop_column('fsrs_review_count')
        batch_op.drop_column('fsrs_optimized_at')
        batch_op.drop_column('fsrs_params')

    with op.batch_alter_table('card_actions', schema=None) as batch_op:
        batch_op.drop_index('ix_card_actions_user_time')

    op.drop_table('card_actions')
