"""Theme, district and counter names are unique whatever their case, accents and spacing, in the
database itself: a name_key column (the name lower-cased, without accents, spaces collapsed) with
a UNIQUE constraint replaces the UNIQUE constraint on the name as typed, which let "Parcs" and
"parcs" created at the same moment both in.

Reviewed by hand. name_key is filled from the existing names with a frozen copy of the
normalisation; two existing names that differ only by case or accents stop the upgrade at the
constraint (rename one, then upgrade again). The downgrade restores the former constraint.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 22:00:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TABLES = ('theme', 'district', 'counter')


def _key(text):
    # Frozen copy of civic.db_types.name_key (civic.text.normalize_for_search) as it is at this revision.
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())


def upgrade():
    connection = op.get_bind()
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('name_key', sa.String(length=160), nullable=True))
        for row_id, name in connection.execute(sa.text(f"SELECT id, name FROM {table}")).all():
            connection.execute(sa.text(f"UPDATE {table} SET name_key = :key WHERE id = :id"),
                               {"key": _key(name), "id": row_id})
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('name_key', existing_type=sa.String(length=160), nullable=False)
            batch_op.drop_constraint(op.f(f'uq_{table}_name'), type_='unique')
            batch_op.create_unique_constraint(op.f(f'uq_{table}_name_key'), ['name_key'])


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(op.f(f'uq_{table}_name_key'), type_='unique')
            batch_op.create_unique_constraint(op.f(f'uq_{table}_name'), ['name'])
            batch_op.drop_column('name_key')
