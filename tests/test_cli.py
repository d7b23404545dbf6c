"""flask create-admin and flask seed-demo; the WSGI entry point."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from civic import create_app
from civic.accounts.models import Role, User
from civic.extensions import db
from civic.proposals.models import Comment, Proposal, ProposalState, Support
from civic.themes.models import Theme
from civic.staff_log import StaffLogEntry
from tests.factories import login, make_user

# Some of its tests build apps or reach servers of their own on the suite's database (see tests/conftest.py).
pytestmark = pytest.mark.database


def test_create_admin(app, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-admin", "--email", "Maire@Example.org", "--name", "Mairie",
                                 "--password", "a long admin password"])
    assert result.exit_code == 0, result.output
    admin = db.session.execute(db.select(User)).scalar_one()
    assert admin.role is Role.ADMIN and admin.email_normalized == "maire@example.org"
    assert admin.email_confirmed_at is not None

    result = runner.invoke(args=["create-admin", "--email", "x@example.org", "--name", "X", "--password", "short"])
    assert result.exit_code != 0 and "12" in result.output


def test_create_admin_promotes_an_existing_account(app, ctx):
    """As an administrator would grant the role: logged in again, and in the staff log."""
    user = make_user(email="existing@example.org")
    browser = app.test_client()
    login(browser, user)
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "existing@example.org", "--name", "E",
                                                "--password", "a long admin password"])
    assert result.exit_code == 0
    db.session.refresh(user)
    assert user.role is Role.ADMIN
    # A cookie of the resident's log-in does not carry the new rights.
    assert browser.get("/admin/").status_code == 302
    entry = db.session.execute(db.select(StaffLogEntry).where(StaffLogEntry.object_id == user.id)).scalar_one()
    assert (entry.area, entry.actor_id, entry.before_data, entry.after_data) == (
        "role", None, {"role": "resident"}, {"role": "admin"})


def test_seed_demo_fills_an_empty_database_once(app, client, ctx):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "resident@example.org" in result.output and "civic-demo-2026" in result.output

    count = lambda model: db.session.execute(db.select(db.func.count(model.id))).scalar_one()  # noqa: E731
    assert 25 <= count(Proposal) <= 40
    assert count(Theme) >= 6 and count(Support) > 50 and count(Comment) > 10
    states = set(db.session.execute(db.select(Proposal.state)).scalars())
    assert states == {ProposalState.PUBLISHED, ProposalState.WITHDRAWN, ProposalState.PENDING}
    roles = set(db.session.execute(db.select(User.role)).scalars())
    assert roles == set(Role)

    again = runner.invoke(args=["seed-demo", "--if-empty"])
    assert again.exit_code == 0 and "already has data" in again.output
    assert count(Proposal) <= 40
    assert runner.invoke(args=["seed-demo"]).exit_code != 0

    from civic.decisions.models import Ballot, Decision, DecisionState, Method

    decisions = db.session.execute(db.select(Decision)).scalars().all()
    assert {d.method for d in decisions} == set(Method)
    assert {d.state for d in decisions} == set(DecisionState)
    assert count(Ballot) > 30

    resident = db.session.execute(db.select(User).filter_by(email_normalized="resident@example.org")).scalar_one()
    login(client, resident, "civic-demo-2026")
    assert client.get("/proposals/new").status_code == 200


def test_recount_real_pabulib_files_prints_the_funded_projects(app):
    import os
    from pathlib import Path

    import pytest

    from civic.voting import pabulib

    data = Path(__file__).resolve().parents[2] / "shared" / "data" / "pabulib"
    if not data.is_dir():
        message = f"{data} is absent (it sits beside the repository in the workplace)"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(message)
        pytest.skip(message)
    for name in ("poland_wroclaw_2017_rejon-nr-2-750.pb", "Netherlands_Assen_2024.pb"):
        path = data / name
        selected = {pid for pid, row in pabulib.read(path).projects.items() if row.get("selected") == "1"}
        result = app.test_cli_runner().invoke(args=["recount", str(path)])
        assert result.exit_code == 0, result.output
        assert set(result.output.split()) == selected


def test_seed_demo_refuses_production(tmp_path):
    """The demo accounts' password is in the README: production must never get them."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.sqlite3'}", "SECRET_KEY": secrets.token_hex(32),
                      "PUBLIC_URL": "https://participer.example.fr", "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0",
                      "MAIL_SERVER": "smtp.example.fr"},
                     env="production")
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code != 0 and "never runs in production" in result.output
    with app.app_context():
        assert db.session.execute(db.select(User)).first() is None
        db.engine.dispose()


@pytest.mark.parametrize("civic_env", [None, "", "testing", "staging"])
def test_the_wsgi_entry_point_refuses_to_start_without_development_or_production(civic_env):
    """The testing settings publish their secret key and put limits out of reach: the suite's only."""
    env = {k: v for k, v in os.environ.items() if k != "CIVIC_ENV"}
    if civic_env is not None:
        env["CIVIC_ENV"] = civic_env
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=Path(__file__).resolve().parents[1], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "set CIVIC_ENV" in result.stderr


def test_seed_scale_adds_to_the_demo_and_leaves_postgresql_analysed(app, ctx):
    """The bench measures pages right after the bulk load: on PostgreSQL the planner must already know the new
    rows (ANALYZE), or the plans measured are those for the demo's few rows, different from one build to the next."""
    runner = app.test_cli_runner()
    assert "seed-demo" in runner.invoke(args=["seed-scale"]).output  # nothing to add to
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = db.session.execute(db.select(db.func.count(Proposal.id))).scalar_one()
    result = runner.invoke(args=["seed-scale", "--users=30", "--proposals=40", "--supports=200", "--comments=120",
                                 "--busiest-comments=30", "--active-proposals=4", "--active-supports=20",
                                 "--active-comments=12", "--reports=15", "--journal=20", "--follows=40",
                                 "--vote-ballots=40", "--budget-ballots=20"])
    assert result.exit_code == 0, result.output
    assert db.session.execute(db.select(db.func.count(Proposal.id))).scalar_one() == before + 40
    if db.engine.dialect.name == "postgresql":
        estimated = db.session.execute(db.text("SELECT reltuples FROM pg_class WHERE relname = 'proposal'")).scalar_one()
        assert estimated == before + 40
