"""Two requests or jobs changing the same thing at the same moment, made to meet exactly where a
race would hurt. PostgreSQL lets them run side by side (READ COMMITTED); SQLite makes writers take
turns, so some of these only have a meaning on PostgreSQL."""
import dataclasses
import threading
import time

import pytest
from sqlalchemy import event, func, select, text

from civic.accounts.models import Role, User
from civic.extensions import db
from civic.decisions.services import notify_opened_votes
from civic.following.services import follow
from civic.mail import OutgoingMail
from civic.moderation import services as moderation
from civic.moderation import registry as moderation_registry
from civic.moderation.models import ModerationKind
from civic.moderation.registry import registered as moderated_kinds
from civic.proposals import kept_counts
from civic.proposals.models import Proposal, ProposalState, Support
from civic.proposals.services import withdraw_support
from civic.targets import TargetType
from civic.themes.models import Theme
from civic.transaction import lock_for_write
from civic.decisions.models import Method
from tests.client import Page
from tests.factories import login, make_proposal, make_support, make_user
from tests.decisions.helpers import make_decision

# Its work leaves the test's connection (other processes, threads or apps): see conftest.py.
pytestmark = pytest.mark.real_commits


@pytest.fixture
def postgresql_only(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("on SQLite writers take turns: nothing can slip between a check and a write")


def test_a_theme_created_by_another_admin_between_check_and_save(client, ctx, postgresql_only):
    """The other admin's "parcs" lands after this one's check for "Parcs": the constraint says no, and the
    form says why instead of a 500."""
    login(client, make_user(role=Role.ADMIN))
    done = []

    def meanwhile(_conn, _cursor, statement, *_args):
        if not done and "FROM theme" in statement and "name_key" in statement:
            done.append(True)
            with db.engine.connect() as other:
                other.execute(text("INSERT INTO theme (name, name_key, active) VALUES ('parcs', 'parcs', true)"))
                other.commit()

    event.listen(db.engine, "after_cursor_execute", meanwhile)
    try:
        response = client.post_form("/admin/themes", {"name": "Parcs", "name_en": "", "active": "y"})
    finally:
        event.remove(db.engine, "after_cursor_execute", meanwhile)
    assert done and response.status_code == 200
    assert Page(response).field_error("name").startswith("Un thème porte déjà ce nom")
    assert db.session.execute(select(func.count(Theme.id))).scalar_one() == 1


def test_two_moderators_merging_two_duplicates_into_each_other(app, ctx, postgresql_only, monkeypatch):
    """A into B while B into A: the second waits for the first, then finds A merged, and refuses."""
    a, b = make_proposal(title="Des bancs"), make_proposal(title="Des bancs !")
    make_support(a)
    make_support(b)
    first, second = make_user(role=Role.MODERATOR), make_user(role=Role.MODERATOR)
    ids = a.id, b.id, first.id, second.id
    first_checked = threading.Event()
    outcomes = {}
    proposals = moderated_kinds()[TargetType.PROPOSAL]

    def check_then_linger(duplicate, kept):
        allowed = proposals.can_merge(duplicate, kept)
        if not first_checked.is_set():
            first_checked.set()
            time.sleep(0.5)  # the second moderator arrives now, while the first still holds its rows
        return allowed

    monkeypatch.setitem(moderation_registry._moderated, TargetType.PROPOSAL,
                        dataclasses.replace(proposals, can_merge=check_then_linger))

    def merge(name, moderator_id, duplicate_id, kept_id):
        with app.test_request_context("/", method="POST"):
            try:
                moderation.decide(db.session.get(User, moderator_id), db.session.get(Proposal, duplicate_id),
                                  ModerationKind.MERGE, merge_number=kept_id)
                db.session.commit()
                outcomes[name] = "merged"
            except moderation.DomainError as error:
                db.session.rollback()
                outcomes[name] = str(error.message)
            finally:
                db.session.remove()

    one = threading.Thread(target=merge, args=("first", ids[2], ids[0], ids[1]))
    one.start()
    assert first_checked.wait(10)
    two = threading.Thread(target=merge, args=("second", ids[3], ids[1], ids[0]))
    two.start()
    one.join(30)
    two.join(30)
    assert outcomes["first"] == "merged" and outcomes["second"] != "merged", outcomes
    db.session.commit()
    a, b = db.session.get(Proposal, ids[0]), db.session.get(Proposal, ids[1])
    db.session.refresh(a)
    db.session.refresh(b)
    assert (a.state, a.merged_into_id, b.state) == (ProposalState.MERGED, b.id, ProposalState.PUBLISHED)


def test_two_workers_announcing_one_opened_vote_tell_each_follower_once(app, ctx):
    decision = make_decision(Method.YES_NO)
    for _ in range(30):
        follow(make_user(), TargetType.DECISION, decision.id)
    db.session.commit()
    barrier = threading.Barrier(2)

    def clock_job():
        with app.app_context():
            barrier.wait()
            lock_for_write()
            notify_opened_votes()
            db.session.commit()
            db.session.remove()

    jobs = [threading.Thread(target=clock_job) for _ in range(2)]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join(30)
    db.session.commit()
    assert db.session.execute(select(func.count(OutgoingMail.id))).scalar_one() == 30


def _meanwhile(marker, sql, params):
    """Just before this request's statement containing ``marker`` runs, another connection commits ``sql``."""
    done = []

    def before(_conn, _cursor, statement, *_args):
        if not done and marker in statement:
            done.append(True)
            with db.engine.connect() as other:
                other.execute(text(sql), params)
                other.commit()

    return done, before


def test_a_support_withdrawn_while_a_moderator_merges(app, client, ctx, postgresql_only):
    """The resident withdraws just as the merge is about to move the supports. Every change of a proposal's
    supports takes the proposal's row first (its count lives there): the withdrawal waits for the merge,
    then finds its support moved, instead of both waiting for each other (a deadlock once the count came;
    the first version answered 500, StaleDataError). The counts stay those of the rows."""
    duplicate, kept = make_proposal(), make_proposal()
    leaving, staying = make_user(), make_user()
    make_support(duplicate, leaving)
    make_support(duplicate, staying)
    login(client, make_user(role=Role.MODERATOR))
    withdrawals, waiting = [], threading.Event()

    def withdraw():
        with app.app_context():
            proposal = db.session.get(Proposal, duplicate.id)
            waiting.set()
            withdrawals.append(withdraw_support(db.session.get(User, leaving.id), proposal))
            db.session.commit()
            db.session.remove()

    def before(_conn, _cursor, statement, *_args):
        if not withdrawals and "UPDATE support" in statement and not waiting.is_set():
            threading.Thread(target=withdraw, daemon=True).start()
            waiting.wait(5)
            time.sleep(0.3)  # it now waits for the proposal's row

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.post_form(f"/moderation/proposal/{duplicate.id}",
                                    {"decision": "merge", "merge_into": str(kept.id)})
        deadline = time.monotonic() + 10
        while not withdrawals and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert response.status_code == 302 and withdrawals == [False]
    supporters = db.session.execute(select(Support.user_id).where(Support.proposal_id == kept.id)).scalars().all()
    assert sorted(supporters) == sorted([leaving.id, staying.id])
    assert kept_counts.miscounted(kept_counts.SUPPORTS) == [] and kept_counts.miscounted(kept_counts.COMMENTS) == []


@pytest.mark.parametrize("action", ["withdraw", "edit"])
def test_the_author_changing_a_proposal_a_moderator_hides_at_the_same_moment(client, ctx, postgresql_only, action):
    """The hide commits after the author's page was checked, before the change is written: the author is told,
    and the proposal stays hidden (measured on the first version: withdrawn, that is public again)."""
    author = make_user()
    proposal = make_proposal(author=author, title="Avant")
    login(client, author)
    done, before = _meanwhile("FOR NO KEY UPDATE", "UPDATE proposal SET state = 'hidden', moderation_reason = 'Illégal' "
                                            "WHERE id = :p", {"p": proposal.id})
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        if action == "withdraw":
            response = client.post_form(f"/proposals/{proposal.id}/withdraw", {"reason": "Je change d'avis"})
        else:
            response = client.post_form(f"/proposals/{proposal.id}/edit", {"title": "Après", "body": "Texte",
                                                                          "theme": str(proposal.theme_id)})
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert done
    if action == "withdraw":  # back to the proposal, saying why
        assert response.status_code == 302
        assert any("ne peut plus" in notice for notice in Page(client.get(response.location)).notices)
    else:  # the form again, what was typed kept, saying why
        page = Page(response)
        assert response.status_code == 200 and any("ne peut plus" in error for error in page.errors)
        assert page.value("title") == "Après"
    db.session.refresh(proposal)
    assert (proposal.state, proposal.title, proposal.withdrawn_reason) == (ProposalState.HIDDEN, "Avant", None)


def test_a_support_given_while_a_moderator_hides_the_proposal(client, ctx, postgresql_only):
    """The support checks the proposal holding its row (which its count then changes): hidden meanwhile, it is
    refused."""
    proposal = make_proposal()
    resident = make_user()
    login(client, resident)
    done, before = _meanwhile("FOR NO KEY UPDATE", "UPDATE proposal SET state = 'hidden' WHERE id = :p", {"p": proposal.id})
    event.listen(db.engine, "before_cursor_execute", before)
    try:
        response = client.post_form(f"/proposals/{proposal.id}/support")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    assert done and response.status_code == 302
    assert db.session.execute(select(func.count(Support.id))).scalar_one() == 0
