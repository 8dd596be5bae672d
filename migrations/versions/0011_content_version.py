"""content version for cached pages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 02:00:00.000000

SyncLock.content_version grows with every content write; each server process keys its cached
set pages by it, so a publish, sync or hot reload shows at once on every process.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sync_lock', schema=None) as batch_op:
        batch_op.add_column(sa.Column('content_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('sync_lock', schema=None) as batch_op:
        batch_op.drop_column('content_version')
