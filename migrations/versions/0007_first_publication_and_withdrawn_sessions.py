"""Proposals remember when they were first published; an assisted session can end because its
agent was taken off the counter (or the counter closed); accounts created online get the name
index counter agents search (from the name they show).

Reviewed by hand. published_at is filled from created_at for proposals the public has seen:
published, withdrawn and hidden ones (hiding is only possible after publication), and merged ones,
which earlier versions showed publicly whatever their state before the merge. Autogenerate does
not see enum values, so the CHECK on end_reason is widened here.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _normalize(text):
    # Frozen copy of civic.text.normalize_for_search as it was at this revision.
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT id, display_name FROM user_account WHERE full_name_search IS NULL")).all()
    for user_id, display_name in rows:
        connection.execute(sa.text("UPDATE user_account SET full_name_search = :name WHERE id = :id"),
                           {"name": _normalize(display_name)[:160] or None, "id": user_id})
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE proposal SET published_at = created_at"
               " WHERE state IN ('published', 'withdrawn', 'hidden', 'merged')")
    with op.batch_alter_table('assisted_session', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assisted_session_sessionend'), type_='check')
        batch_op.create_check_constraint(op.f('ck_assisted_session_sessionend'), sa.text(
            "end_reason IN ('button', 'logout', 'timeout', 'withdrawn')"))


def downgrade():
    op.execute("UPDATE user_account SET full_name_search = NULL WHERE full_name IS NULL")
    # The older schema has no such reason: the nearest is an end decided by someone, not by time.
    op.execute("UPDATE assisted_session SET end_reason = 'button' WHERE end_reason = 'withdrawn'")
    with op.batch_alter_table('assisted_session', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_assisted_session_sessionend'), type_='check')
        batch_op.create_check_constraint(op.f('ck_assisted_session_sessionend'), sa.text(
            "end_reason IN ('button', 'logout', 'timeout')"))
    with op.batch_alter_table('proposal', schema=None) as batch_op:
        batch_op.drop_column('published_at')
