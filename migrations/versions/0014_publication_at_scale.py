"""Publication at scale: the decision's state in a small column, the published files apart, the
officials' preview counted once per closing, and jobs that count and publish outside requests.

Reviewed by hand. decision.published_at is filled from the snapshots. The texts a snapshot held
(results, ballots CSV, Pabulib file) become published files, chunk by chunk, with their SHA-256;
the results CSV and datapackage.json of these decisions are written by the application the first
time they are asked for (civic.decisions.services.published_file), as a publication writes them.
The snapshot keeps who published, the counting code and the ballots file's SHA-256; the date
moves to the decision. One unfinished job per decision and kind: a partial UNIQUE index (SQLite
and PostgreSQL both have them; Alembic compares neither its condition nor CHECK constraints).
The downgrade puts the texts back into the snapshots.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 09:00:00

"""
import hashlib

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

# Chunks of about a megabyte, as civic.decisions.files writes them (a reader joins the bytes, then decodes).
CHUNK_BYTES = 1 << 20
SNAPSHOT_FILES = (('results_json', 'results.json', 'application/json'), ('ballots_csv', 'ballots.csv', 'text/csv'),
                  ('ballots_pb', 'ballots.pb', 'text/plain'))
UNFINISHED = sa.text("state IN ('queued', 'running')")


def upgrade():
    op.create_table('decision_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('count', 'publish', name='jobkind', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='jobstate', native_enum=False, create_constraint=True, length=24), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('ballots', sa.Integer(), nullable=True),
    sa.Column('failure', sa.Enum('refused', 'error', 'stopped', name='jobfailure', native_enum=False, create_constraint=True, length=24), nullable=True),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_decision_job_decision_id_decision'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user_account.id'], name=op.f('fk_decision_job_requested_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_job'))
    )
    with op.batch_alter_table('decision_job', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_job_decision_id'), ['decision_id'], unique=False)
        batch_op.create_index('uq_decision_job_unfinished', ['decision_id', 'kind'], unique=True,
                              sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)

    op.create_table('published_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('media_type', sa.String(length=60), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_published_file_decision_id_decision')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_published_file')),
    sa.UniqueConstraint('decision_id', 'name', name=op.f('uq_published_file_decision_id_name'))
    )
    op.create_table('result_preview',
    sa.Column('decision_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('results_json', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['decision.id'], name=op.f('fk_result_preview_decision_id_decision'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('decision_id', name=op.f('pk_result_preview'))
    )
    op.create_table('published_chunk',
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['published_file.id'], name=op.f('fk_published_chunk_file_id_published_file'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('file_id', 'seq', name=op.f('pk_published_chunk'))
    )
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE decision SET published_at = (SELECT published_at FROM result_snapshot"
               " WHERE result_snapshot.decision_id = decision.id)")
    _snapshot_texts_to_files()
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.drop_column('results_json')
        batch_op.drop_column('ballots_pb')
        batch_op.drop_column('published_at')
        batch_op.drop_column('ballots_csv')


def _snapshot_texts_to_files():
    connection = op.get_bind()
    for (decision_id,) in connection.execute(sa.text("SELECT decision_id FROM result_snapshot")).all():
        texts = connection.execute(sa.text("SELECT results_json, ballots_csv, ballots_pb FROM result_snapshot"
                                           " WHERE decision_id = :d"), {"d": decision_id}).one()._mapping
        for column, name, media_type in SNAPSHOT_FILES:
            if texts[column] is None:
                continue
            data = texts[column].encode()
            file_id = connection.execute(sa.text(
                "INSERT INTO published_file (decision_id, name, media_type, size, sha256)"
                " VALUES (:d, :name, :media_type, :size, :sha256) RETURNING id"),
                {"d": decision_id, "name": name, "media_type": media_type, "size": len(data),
                 "sha256": hashlib.sha256(data).hexdigest()}).scalar_one()
            for seq, start in enumerate(range(0, len(data), CHUNK_BYTES)):
                connection.execute(sa.text("INSERT INTO published_chunk (file_id, seq, data) VALUES (:f, :s, :data)"),
                                   {"f": file_id, "s": seq, "data": data[start:start + CHUNK_BYTES]})


def downgrade():
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ballots_csv', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('published_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('ballots_pb', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('results_json', sa.Text(), nullable=True))
    connection = op.get_bind()
    op.execute("UPDATE result_snapshot SET published_at = (SELECT published_at FROM decision"
               " WHERE decision.id = result_snapshot.decision_id)")
    for (decision_id,) in connection.execute(sa.text("SELECT decision_id FROM result_snapshot")).all():
        for column, name, _media_type in SNAPSHOT_FILES:
            data = connection.execute(sa.text(
                "SELECT c.data FROM published_chunk c JOIN published_file f ON f.id = c.file_id"
                " WHERE f.decision_id = :d AND f.name = :name ORDER BY c.seq"), {"d": decision_id, "name": name}
            ).scalars().all()
            if data or column != 'ballots_pb':
                connection.execute(sa.text(f"UPDATE result_snapshot SET {column} = :text WHERE decision_id = :d"),
                                   {"text": b"".join(bytes(d) for d in data).decode(), "d": decision_id})
    with op.batch_alter_table('result_snapshot', schema=None) as batch_op:
        batch_op.alter_column('results_json', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('ballots_csv', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('published_at', existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_column('published_at')

    op.drop_table('published_chunk')
    op.drop_table('result_preview')
    op.drop_table('published_file')
    with op.batch_alter_table('decision_job', schema=None) as batch_op:
        batch_op.drop_index('uq_decision_job_unfinished', sqlite_where=UNFINISHED, postgresql_where=UNFINISHED)
        batch_op.drop_index(batch_op.f('ix_decision_job_decision_id'))

    op.drop_table('decision_job')
