"""The datasets of the demo, its votes published (once for the session, tests/conftest.py): they hold together as a
data package, and hold no personal data even of residents registered at a counter. The datasets of records the
tests make are in test_datasets.py."""
import json
from datetime import date

from civic.accounts.models import Role
from civic.counters.residents import register_resident
from civic.extensions import db
from tests.conftest import demo_app_for_this_module
from tests.factories import make_comment, make_counter, make_proposal, make_support, make_user
from tests.opendata.helpers import data_package, every_cell

app = demo_app_for_this_module("published_demo_app")


def test_the_demo_datasets_hold_together(ctx, tmp_path):
    report = data_package(tmp_path).validate()
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])


def test_no_dataset_holds_personal_data(app, ctx):
    agent = make_user(role=Role.COUNTER_AGENT)
    counter = make_counter()
    counter.agents.append(agent)
    db.session.commit()
    with app.test_request_context():
        at_counter = register_resident(agent, counter, full_name="Josiane Quintard-Belmonte",
                                       birth_date=date(1941, 3, 7), phone="06 12 34 56 78")
        db.session.commit()
    online = make_user(name="Camille", email="camille.privee@example.org")
    online.full_name, online.birth_date = "Camille Vérany-Hautbois", date(1990, 11, 23)
    online.phone = "+33 7 98 76 54 32"
    db.session.commit()
    for author in (at_counter, online):
        proposal = make_proposal(author=author, title="Un composteur", body="Rue des Lilas.")
        make_comment(proposal, author=author)
        make_support(proposal, author)
    secrets = {"Quintard", "Belmonte", "1941-03-07", "07/03/1941", "06 12 34 56 78", "0612345678", "+33612345678",
               "camille.privee@example.org", "Vérany", "Hautbois", "1990-11-23", "23/11/1990", "+33 7 98 76 54 32",
               "+33798765432", "@example.org"}
    cells = every_cell()
    assert {"Camille", at_counter.display_name} <= {json.loads(c) for c in cells if c.startswith('"')}  # names shown
    assert [c for c in cells if any(secret in c for secret in secrets)] == []
