"""A process's page of what became of its projects: the implementation records of its vote's winners and of its
accepted proposals, with the totals the site-wide page computes, and none of another process's."""
from sqlalchemy import select

from civic.extensions import db
from civic.followup.models import ImplementationRecord
from civic.processes.models import Process
from tests.conftest import demo_app_for_this_module

app = demo_app_for_this_module()


def _process(title):
    return db.session.execute(select(Process).where(Process.title == title)).scalar_one()


def test_a_process_shows_the_records_of_what_it_decided(client_request):
    followed = _process("Budget participatif 2026")
    records = db.session.execute(select(ImplementationRecord).where(
        ImplementationRecord.decision_id == followed.decision_id)).scalars().all()
    assert records
    page = client_request.get("processes.detail", process_id=followed.id)
    assert page.has(f'a[href="/processus/{followed.id}/realisations"]')
    page = client_request.get("processes.follow_up", process_id=followed.id)
    shown = page.texts(".cards h3, .cards h2, .cards a")
    for record in records:
        assert any(record.title in text for text in shown), record.title
    # The site-wide page holds more (accepted proposals outside any process): this one only the process's.
    everything = client_request.get("followup.index")
    assert len(everything.select(".cards > li")) > len(page.select(".cards > li"))


def test_a_process_without_a_vote_has_no_follow_up_yet(client_request):
    collecting = _process("Budget participatif des quartiers 2028")
    page = client_request.get("processes.detail", process_id=collecting.id)
    assert not page.has(f'a[href="/processus/{collecting.id}/realisations"]')
    page = client_request.get("processes.follow_up", process_id=collecting.id)
    assert not page.select(".cards > li a")
