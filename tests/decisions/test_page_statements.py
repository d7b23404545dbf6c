"""What a decision's pages cost: the decision comes with all its page shows of it (options, districts, process,
result snapshot) in one statement, and whether the reader voted is asked once per request, however many times the
page, its rule and its template ask it; a ballot is still decided on what the database says once the voter's row
is held."""
import pytest
from sqlalchemy import delete, event, insert, select

from civic.accounts.models import Role
from civic.decisions import corrections, services
from civic.decisions.files import RESULTS_JSON
from civic.decisions.models import (ErasedVoter, Method, Participation, PublishedChunk, PublishedFile, ResultSnapshot,
                                   voter_identities)
from civic.domain import DomainError
from civic.extensions import db
from civic.following import services as following
from civic.targets import TargetType
from tests.decisions.helpers import close, make_decision
from tests.factories import login, make_district, make_user
from tests.processes.helpers import make_process
from tests.queries import recorded_page, recording, tables


def _district_vote_of_a_process():
    decision = make_decision(title="Le vote du budget des quartiers")
    decision.districts = [make_district("Les Tilleuls"), make_district("Le Bourg")]
    process = make_process(title="Budget des quartiers")
    process.decision_id = decision.id
    db.session.commit()
    return decision


def test_a_decisions_page_reads_it_with_its_options_districts_and_process_in_one_statement(app, client, ctx):
    decision = _district_vote_of_a_process()
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}")
    # Its corrections too, only when it has some (below).
    assert tables(statements) == ["decision"], str(statements)
    assert page.h1 == "Le vote du budget des quartiers"
    assert "Budget des quartiers" in [a.get_text() for a in page.select("main p a")]
    assert any("Le Bourg, Les Tilleuls" in p.get_text() for p in page.select("main p"))
    assert page.texts(".option-list strong") == ["Parc", "Piscine", "Médiathèque"]


def test_a_decisions_page_reads_its_corrections_only_when_its_description_was_corrected(app, client, ctx):
    """Whether it was corrected comes with the decision: most decisions never are, and their page runs no
    statement for corrections; a corrected one shows them."""
    decision = make_decision(state="open", description="Le parc du Bourg.")
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}")
    assert tables(statements) == ["decision"], str(statements)
    assert "Corrections de la description" not in page.texts("main h2")
    with app.test_request_context():
        corrections.fix_description(decision, make_user(role=Role.ELECTED), "Le parc du bourg.")
    db.session.commit()
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}")
    assert tables(statements) == ["decision", "decision_description_edit"], str(statements)
    assert "Corrections de la description" in page.texts("main h2")
    assert len(page.select("ul.corrections li")) == 1


def test_a_resident_is_asked_once_whether_they_voted(app, client, ctx):
    """The view, the vote's rule and the template's button each ask whether the resident voted: one reading."""
    decision = make_decision()
    login(client, make_user())
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}")
    assert sum(t == "participation" for t in tables(statements)) == 1, str(statements)
    assert page.select(".support-box a.button")[0].get_text() == "Voter"


def test_a_residents_page_says_whether_they_voted_and_follow_the_vote_in_one_statement(app, client, ctx):
    decision, resident = make_decision(), make_user()
    login(client, resident)
    decision_id = decision.id
    page, statements = recorded_page(app, client, f"/decisions/{decision_id}")
    assert "follow" not in tables(statements), str(statements)
    assert page.select(".support-box a.button")[0].get_text() == "Voter"
    assert "Suivre ce vote" in page.text("main")

    following.follow(resident, TargetType.DECISION, decision_id)
    services.cast_ballot(resident, decision, {"option": decision.options[0].id})
    db.session.commit()
    page, statements = recorded_page(app, client, f"/decisions/{decision_id}")
    assert sum(t in ("participation", "follow") for t in tables(statements)) == 1, str(statements)
    assert "Ne plus suivre" in page.text("main") and not page.select(".support-box a.button")


def test_the_results_page_reads_the_decision_with_its_snapshot(app, client, ctx):
    decision = make_decision()
    services.cast_ballot(make_user(), decision, {"option": decision.options[0].id})
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}/results")
    # The decision with its snapshot and results.json, and whether follow-up records opened for its winners: names
    # without cost nor proposal open none, and the page reads no more.
    assert tables(statements) == ["decision"], str(statements)
    assert page.select("code.hash")[0].get_text() == decision.snapshot.ballots_sha256
    assert "Ce qu’il en est advenu" not in page.texts("main h3")


def test_the_results_page_reads_the_follow_up_records_of_its_winners_when_there_are(app, client, ctx):
    """A participatory budget's funded projects each open a record: their links, in a second statement."""
    decision = make_decision(Method.BUDGET)
    services.cast_ballot(make_user(), decision, {"options": [decision.options[0].id]})
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}/results")
    assert tables(statements) == ["decision", "implementation_record"], str(statements)
    assert "Ce qu’il en est advenu" in page.texts("main h3")
    assert [text for text, _url in page.links("main li") if text.startswith("Suivi de")] == ["Suivi de « Parc »"]


def test_the_results_page_reads_the_ballots_fingerprint_without_loading_the_snapshot(app, client, ctx):
    """The page shows only the snapshot's fingerprint: read as a column of the decision's statement, no
    ResultSnapshot object is loaded for it (a second entity cost the statement more than the rest of it)."""
    decision = make_decision()
    services.cast_ballot(make_user(), decision, {"option": decision.options[0].id})
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    fingerprint = decision.snapshot.ballots_sha256
    loaded = []

    def listener(snapshot, _context):
        loaded.append(snapshot)

    event.listen(ResultSnapshot, "load", listener)
    try:
        page, statements = recorded_page(app, client, f"/decisions/{decision.id}/results")
    finally:
        event.remove(ResultSnapshot, "load", listener)
    assert page.select("code.hash")[0].get_text() == fingerprint and loaded == []
    assert tables(statements) == ["decision"], str(statements)


def test_a_ballot_is_decided_on_the_database_once_the_voters_row_is_held(app, ctx):
    """What the request read before (not voted yet) is read again when the ballot is cast: a participation
    another request committed meanwhile refuses it."""
    decision, voter = make_decision(), make_user()
    with app.test_request_context("/"):
        assert not services.has_voted(voter, decision)
        db.session.add(Participation(decision_id=decision.id, user_id=voter.id))  # another request's ballot
        db.session.flush()
        with pytest.raises(DomainError, match="déjà participé"):
            services.cast_ballot(voter, decision, {"option": decision.options[0].id})
        assert services.has_voted(voter, decision)


def test_a_district_vote_lists_its_districts_once_each_with_many_options(app, client, ctx):
    """Options and districts come joined: the page lists each once, whatever the number of the other."""
    decision = make_decision(options=[f"Projet {n}" for n in range(12)])
    decision.districts = [make_district(f"Quartier {n}") for n in range(3)]
    db.session.commit()
    page, _statements = recorded_page(app, client, f"/decisions/{decision.id}")
    text = " ".join(p.get_text() for p in page.select("main p"))
    assert "Quartier 0, Quartier 1, Quartier 2." in text
    assert page.texts(".option-list strong") == [f"Projet {n}" for n in range(12)]


def test_a_district_votes_rule_reads_the_districts_its_page_statement_read(app, client, ctx):
    """The page's statement sets the districts it read as the decision's: the vote's rule, which compares them with
    the resident's district, reads no more (a lazy load would be a statement of the district table)."""
    decision = make_decision(options=["Parc", "Piscine"])
    decision.districts = [make_district("Les Tilleuls"), make_district("Le Bourg")]
    resident = make_user()
    resident.district_id = decision.districts[0].id
    db.session.commit()
    login(client, resident)
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}")
    assert tables(statements) == ["user_account", "decision", "participation"], str(statements)
    assert page.texts(".support-box p")[0] == (
        "Ce vote est réservé aux habitants de : Le Bourg, Les Tilleuls. Vous avez indiqué ce quartier dans votre "
        "profil après l’ouverture du vote : vous ne pouvez donc pas participer à ce vote.")
    assert page.texts(".option-list strong") == ["Parc", "Piscine"]


def _email_identity(user):
    """The keyed hash an erased account leaves of its e-mail address (as if ``user`` had been erased)."""
    return next(iter(voter_identities([user])))


def test_whether_a_resident_voted_reads_their_identities_only_when_the_vote_has_erased_voters(app, ctx):
    """Erased voters are rare: without any, one statement says whether the resident voted, and neither their
    identities nor a keyed hash are read; with some, the resident is still known by any of their identities."""
    decision, voter, other = make_decision(), make_user(), make_user()
    db.session.commit()
    decision_id = decision.id  # read before recording, as the accounts: the commit expired them
    for person in (voter, other):
        db.session.refresh(person)
    with recording(app) as statements:
        assert services.voted_in(voter, [decision_id]) == set()
    assert tables(statements) == ["participation"], str(statements)

    db.session.add(ErasedVoter(decision_id=decision_id, identity=_email_identity(other)))
    db.session.flush()
    with recording(app) as statements:
        assert services.voted_in(voter, [decision_id]) == set()
        assert services.voted_in(other, [decision_id]) == {decision_id}
    assert tables(statements) == ["participation", "user_account", "erased_voter"] * 2, str(statements)


def test_the_results_page_reads_results_stored_in_several_chunks_in_their_order(app, client, ctx):
    """results.json comes with the decision, a row per chunk: a file of several chunks is read whole, in order."""
    decision = make_decision(title="Le nom de la médiathèque")
    services.cast_ballot(make_user(), decision, {"option": decision.options[1].id})
    close(decision)
    services.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    file = db.session.execute(select(PublishedFile).filter_by(decision_id=decision.id, name=RESULTS_JSON)).scalar_one()
    data = db.session.execute(select(PublishedChunk.data).filter_by(file_id=file.id)).scalar_one()
    db.session.execute(delete(PublishedChunk).filter_by(file_id=file.id))
    pieces = [data[start:start + 40] for start in range(0, len(data), 40)]
    # Inserted last to first: the page reads them by their number.
    db.session.execute(insert(PublishedChunk), [{"file_id": file.id, "seq": seq, "data": piece}
                                                for seq, piece in reversed(list(enumerate(pieces)))])
    db.session.commit()
    page, statements = recorded_page(app, client, f"/decisions/{decision.id}/results")
    assert len(pieces) > 2 and tables(statements) == ["decision"], str(statements)
    assert page.select(".lead")[-1].get_text().endswith(": Piscine")
