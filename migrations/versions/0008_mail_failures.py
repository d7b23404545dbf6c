"""Outgoing mail remembers when it was given up: at once when the server refused it for good
(or it could not be built), after its last attempt otherwise. A failed mail is never tried again.

Reviewed by hand. Mails earlier versions gave up (6 attempts, the MAX_ATTEMPTS of this revision,
and never sent) get failed_at from their last attempt, the time of their claim. The downgrade
gives mails failed early their 6 attempts, so that the older code does not try them again: one
of them may be a mail that made it crash.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE outgoing_mail SET failed_at = COALESCE(claimed_at, created_at)"
               " WHERE sent_at IS NULL AND attempts >= 6")


def downgrade():
    op.execute("UPDATE outgoing_mail SET attempts = 6 WHERE failed_at IS NOT NULL AND attempts < 6")
    with op.batch_alter_table('outgoing_mail', schema=None) as batch_op:
        batch_op.drop_column('failed_at')
