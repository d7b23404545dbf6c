"""The demo seeded once for the session (tests/conftest.py, demo_app): each test that reads it finds it as seeded,
whatever the test before it changed (both turns run in one shard or in two: each finds the demo as seeded)."""
import pytest
from sqlalchemy import func, select, update

from civic.extensions import db
from civic.proposals.models import Proposal
from tests.conftest import demo_app_for_this_module

app = demo_app_for_this_module()
TITLE = "Changée par un test"


@pytest.mark.parametrize("turn", ["first", "second"])
def test_what_a_test_changes_in_the_demo_is_gone_after_it(ctx, turn):
    proposals = db.session.execute(select(func.count()).select_from(Proposal)).scalar_one()
    assert proposals > 10  # the demo's, without the test seeding them
    assert db.session.execute(select(func.count()).where(Proposal.title == TITLE)).scalar_one() == 0
    db.session.execute(update(Proposal).values(title=TITLE))
    db.session.commit()
    assert db.session.execute(select(func.count()).where(Proposal.title == TITLE)).scalar_one() == proposals
