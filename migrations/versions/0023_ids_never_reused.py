"""Proposals and comments never get the number of one removed before (SQLite's AUTOINCREMENT).

Reviewed by hand. SQLite gives a new row the largest id in the table plus one: once the newest
proposal is removed (its author erased their account and removed their contributions), the next
proposal took its number, and the receipt's follow-up code and the audit log that named the removed
one then showed someone else's. AUTOINCREMENT never gives a number twice. PostgreSQL's sequences
already never do: nothing changes there.

SQLite cannot add AUTOINCREMENT to a table: each table is made again from its own definition with
the id declared so, its rows copied with their ids, and its indexes and triggers made again from
theirs (read from sqlite_master, so that they are exactly what the database had). Foreign keys are
off during migrations (env.py); legacy_alter_table keeps the final rename from checking the other
tables' triggers, which name the table while it is briefly gone.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 12:45:00

"""
import re

from alembic import op
from sqlalchemy import text


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLES = ("proposal", "comment")


def _rebuild(table, autoincrement):
    connection = op.get_bind()
    create = connection.execute(text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"),
                                {"t": table}).scalar_one()
    others = connection.execute(text("SELECT sql FROM sqlite_master WHERE tbl_name = :t AND type IN ('index', "
                                     "'trigger') AND sql IS NOT NULL"), {"t": table}).scalars().all()
    key = f"CONSTRAINT pk_{table} PRIMARY KEY (id)"
    if autoincrement:
        create = re.sub(r",\s*" + re.escape(key), "", create, count=1)
        create = re.sub(r"\bid INTEGER NOT NULL\b", "id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT", create, count=1)
    else:
        create = create.replace("id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT", "id INTEGER NOT NULL", 1)
        create = create[:create.rindex(")")].rstrip() + f", \n\t{key}\n)"
    create = re.sub(rf'^CREATE TABLE "?{table}"?', f'CREATE TABLE "{table}_new"', create, count=1)
    op.execute(create)
    op.execute(f'INSERT INTO "{table}_new" SELECT * FROM "{table}"')
    op.execute(f'DROP TABLE "{table}"')
    op.execute("PRAGMA legacy_alter_table = ON")
    op.execute(f'ALTER TABLE "{table}_new" RENAME TO "{table}"')
    op.execute("PRAGMA legacy_alter_table = OFF")
    for statement in others:
        op.execute(statement)


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for table in TABLES:
            _rebuild(table, autoincrement=True)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for table in TABLES:
            _rebuild(table, autoincrement=False)
