"""set sources, their revisions and the authoring log

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 04:30:00.000000

The database holds every question set's Markdown source and its revisions; content files become
revisions authored "files". Existing sets get their source row at the next `flask content sync`.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('set_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('file_path', sa.String(length=500), nullable=True),
    sa.Column('file_digest', sa.String(length=64), nullable=True),
    sa.Column('current_revision', sa.Integer(), nullable=False),
    sa.Column('published_revision', sa.Integer(), nullable=True),
    sa.Column('unpublished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_sources')),
    sa.UniqueConstraint('file_path', name=op.f('uq_set_sources_file_path')),
    sa.UniqueConstraint('slug', name=op.f('uq_set_sources_slug'))
    )
    op.create_table('authoring_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_authoring_events_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['set_sources.id'], name=op.f('fk_authoring_events_source_id_set_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_authoring_events'))
    )
    with op.batch_alter_table('authoring_events', schema=None) as batch_op:
        batch_op.create_index('ix_authoring_events_created_at', ['created_at'], unique=False)

    op.create_table('set_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('errors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_set_revisions_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['set_sources.id'], name=op.f('fk_set_revisions_source_id_set_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_set_revisions')),
    sa.UniqueConstraint('source_id', 'number', name='uq_set_revisions_source_number')
    )


def downgrade():
    op.drop_table('set_revisions')
    with op.batch_alter_table('authoring_events', schema=None) as batch_op:
        batch_op.drop_index('ix_authoring_events_created_at')

    op.drop_table('authoring_events')
    op.drop_table('set_sources')
