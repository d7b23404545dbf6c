"""What a proposal's page costs: the proposal and all its page shows of it (author, theme, district, counter,
process and its phases, official answer) come in one statement, so that neither the template nor the rules
load anything lazily; the forms and the rules' checks are made once, for those shown them."""
import re

from civic.counters.models import Channel
from civic.followup.models import ImplementationRecord, ImplementationStatus
from civic.extensions import db
from civic.processes.models import PhaseKind
from tests.client import Page
from tests.factories import login, make_answer, make_counter, make_district, make_proposal, make_user
from tests.processes.helpers import make_process, mark_studied, propose_in
from tests.queries import recording


def _tables(statements):
    """The table each statement reads first: a lazy load would add a statement of its own (user_account, theme,
    process...)."""
    return [re.search(r"\bFROM (\w+)", s).group(1) for s in statements]


def _proposal_with_everything():
    process = make_process(PhaseKind.STUDY, title="Budget des quartiers")
    proposal = propose_in(process, title="Un jardin partagé", district=make_district("Les Tilleuls"),
                          channel=Channel.COUNTER, counter=make_counter("Mairie annexe du Bourg"),
                          author=make_user(name="Manon Petit"))
    mark_studied(proposal)
    make_answer(proposal, text="Nous l’étudions.")
    db.session.add(ImplementationRecord(title="Un jardin partagé", status=ImplementationStatus.TO_DO, progress=0,
                                        proposal_id=proposal.id))
    db.session.commit()
    return proposal


def _page(app, client, proposal):
    path = f"/proposals/{proposal.id}"  # read before: the test's own session reads it again after its commit
    with recording(app) as statements:
        response = client.get(path)
    assert response.status_code == 200
    return Page(response), statements


def test_the_page_loads_its_proposal_with_all_it_shows_in_one_statement(app, client, ctx):
    proposal = _proposal_with_everything()
    page, statements = _page(app, client, proposal)
    # The proposal, its first threads (none: no statement for their comments), the answer's earlier versions,
    # its follow-up records.
    assert _tables(statements) == ["proposal", "comment", "proposal_answer_edit", "implementation_record"], \
        str(statements)
    meta = page.select(".proposal .meta")[0].get_text()
    assert "Manon Petit" in meta and "Mairie annexe du Bourg" in meta
    assert page.select("#process a")[0].get_text() == "Budget des quartiers"
    assert "étape en cours\u202f: étude technique" in page.select("#process p")[0].get_text()
    assert page.select("#answer p")[-1].get_text() == "Nous l’étudions."
    summary = page.select(".summary")[0].get_text()
    assert "Les Tilleuls" in summary
    # Nobody logged in is shown a form: no comment nor follow form is built.
    assert page.select("form") == []


def test_a_resident_reads_the_same_proposal_with_their_own_statements_only(app, client, ctx):
    proposal = _proposal_with_everything()
    login(client, make_user())
    page, statements = _page(app, client, proposal)
    # Their log-in, then as anonymously, with whether they follow it, support it and reported it.
    assert _tables(statements) == ["user_account", "proposal", "comment", "proposal_answer_edit", "follow", "support",
                                   "report", "implementation_record"], str(statements)
    assert page.select("#comment-form-title")[0].get_text() == "Ajouter un commentaire"
    assert [b.get_text() for b in page.select("#support button")] == ["Soutenir cette proposition"]


def test_its_author_is_asked_once_whether_it_can_still_be_edited(app, client, ctx):
    """A proposal without support nor comment: the edit rule asks the tables once, not once per link."""
    author = make_user()
    proposal = make_proposal(author=author)
    login(client, author)
    page, statements = _page(app, client, proposal)
    assert [a.get_text() for a in page.select(".proposal .actions a")][:2] == ["Modifier ma proposition",
                                                                               "Retirer ma proposition"]
    assert sum("EXISTS" in s and "FROM comment" in s for s in statements) == 1, str(statements)
