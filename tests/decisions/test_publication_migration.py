"""Migration 0014 moves what a snapshot held into the published files, and its downgrade puts it back."""
import hashlib

from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from civic import create_app
from civic.extensions import db
from tests.test_migrations import MIGRATIONS, empty_database_url  # noqa: F401 - the fixture

OFFICIAL = ("INSERT INTO user_account (id, display_name, role, active, created_at, notify_answers, language) "
            "VALUES (1, 'E', 'elected', true, '2026-01-01 00:00:00+00', true, 'fr')")
DECISION = ("INSERT INTO decision (id, title, question, description, method, opens_at, closes_at, announced_at,"
            " created_by_id, created_at) VALUES (:id, 'T', 'Q', '', :method, '2026-01-01 00:00:00+00',"
            " '2026-02-01 00:00:00+00', '2025-12-01 00:00:00+00', 1, '2025-12-01 00:00:00+00')")
SNAPSHOT = ("INSERT INTO result_snapshot (decision_id, published_at, published_by_id, code_version, results_json,"
            " ballots_csv, ballots_sha256, ballots_pb) VALUES (:id, '2026-02-02 10:00:00+00', 1, 'v1', :results,"
            " :ballots, :sha256, :pb)")
# Accents, and a file longer than one chunk (a megabyte).
BALLOTS = "tracking_code,vote\n" + "".join(f"CODÉ{n:06d},yes\n" for n in range(80_000))
PB = "META\nkey;value\nnum_votes;1\nPROJECTS\nproject_id;cost;name\n1;10;Kiosque à musique\nVOTES\nvoter_id;vote\nA;1\n"
RESULTS = '{"count": {"yes": 80000}, "label": "Élu"}'


def _files(connection, decision_id):
    rows = connection.execute(text(
        "SELECT f.name, f.media_type, f.size, f.sha256, c.seq, c.data FROM published_file f"
        " JOIN published_chunk c ON c.file_id = f.id WHERE f.decision_id = :d ORDER BY f.name, c.seq"),
        {"d": decision_id}).all()
    files = {}
    for name, media_type, size, sha256, _seq, data in rows:
        files.setdefault(name, [media_type, size, sha256, b""])[3] += bytes(data)
    return files


def test_snapshot_texts_become_published_files_and_come_back(empty_database_url):  # noqa: F811 - the fixture
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url}, env="testing")
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0013")
        with db.engine.begin() as connection:
            connection.execute(text(OFFICIAL))
            connection.execute(text(DECISION), {"id": 1, "method": "yes_no"})
            connection.execute(text(DECISION), {"id": 2, "method": "budget"})
            connection.execute(text(DECISION), {"id": 3, "method": "yes_no"})  # closed, not published
            connection.execute(text(SNAPSHOT), {"id": 1, "results": RESULTS, "ballots": BALLOTS, "pb": None,
                                                "sha256": hashlib.sha256(BALLOTS.encode()).hexdigest()})
            connection.execute(text(SNAPSHOT), {"id": 2, "results": "{}", "ballots": "tracking_code\n", "pb": PB,
                                                "sha256": "0" * 64})
        upgrade(directory=MIGRATIONS)
        with db.engine.connect() as connection:
            published = dict(connection.execute(text("SELECT id, published_at FROM decision")).all())
            assert [published[n] is not None for n in (1, 2, 3)] == [True, True, False]
            first = _files(connection, 1)
            assert set(first) == {"ballots.csv", "results.json"}
            media_type, size, sha256, data = first["ballots.csv"]
            assert (media_type, data.decode(), size) == ("text/csv", BALLOTS, len(BALLOTS.encode()))
            assert sha256 == hashlib.sha256(data).hexdigest()
            assert connection.execute(text("SELECT count(*) FROM published_chunk c JOIN published_file f"
                                           " ON f.id = c.file_id WHERE f.name = 'ballots.csv' AND f.decision_id = 1"
                                           )).scalar_one() == 2
            assert first["results.json"][3].decode() == RESULTS
            assert _files(connection, 2)["ballots.pb"][3].decode() == PB
        downgrade(directory=MIGRATIONS, revision="0013")
        with db.engine.connect() as connection:
            rows = {r.decision_id: r for r in connection.execute(text(
                "SELECT decision_id, results_json, ballots_csv, ballots_pb, published_at FROM result_snapshot"))}
            assert (rows[1].results_json, rows[1].ballots_csv, rows[1].ballots_pb) == (RESULTS, BALLOTS, None)
            assert rows[2].ballots_pb == PB and rows[1].published_at is not None
        db.engine.dispose()
