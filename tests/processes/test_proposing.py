"""Residents propose into a process during its ideas phase (online or at a counter), with a cost estimate."""
from civic.access import Role
from civic.counters.models import AssistedAction, AssistedActionKind
from civic.counters.sessions import FORM_TOKEN_FIELD
from civic.extensions import db
from civic.processes.models import PhaseKind, ProcessProposal
from civic.proposals.models import Proposal
from tests.client import Page
from tests.counters.helpers import make_counter, open_session
from tests.factories import login, make_district, make_theme, make_user
from tests.processes.helpers import make_process, move_to, propose_in

IDEA = {"title": "Un jardin partagé", "body": "Derrière l’école.", "place": "Rue des Lilas",
        "cost_estimate": "12 000"}


def test_a_resident_proposes_into_the_process_with_a_cost_estimate(client_request, login_as):
    theme = make_theme("Nature")
    process = make_process(PhaseKind.IDEAS, theme_ids=[theme.id])
    author = login_as()
    page = client_request.get("processes.propose", process_id=process.id)
    assert page.h1 == "Proposer une idée : Budget participatif 2027"
    assert page.text("#steps-title") == "Étape 1 sur 5 : idées"
    # The process's themes are offered (all active themes when it names none).
    assert [o.text for o in page.select("select[name=theme] option")][1:] == ["Nature"]
    client_request.post("processes.propose", process_id=process.id, _data={**IDEA, "theme": str(theme.id)})
    proposal = db.session.execute(db.select(Proposal).where(Proposal.author_id == author.id)).scalar_one()
    entry = db.session.get(ProcessProposal, proposal.id)
    assert (entry.process_id, entry.cost_estimate) == (process.id, 12_000)
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.text("#process") .startswith("Processus participatif Budget participatif 2027")
    assert "Coût estimé par son auteur ou autrice : 12 000 €" in page.text("#process")
    page = client_request.get("processes.detail", process_id=process.id)
    assert [a.text for a in page.select("#proposals-title + ul .card-title a")] == ["Un jardin partagé"]


def test_a_theme_or_a_district_outside_the_process_is_refused(client_request, login_as):
    nature, roads = make_theme("Nature"), make_theme("Voirie")
    north, south = make_district("Nord"), make_district("Sud")
    process = make_process(PhaseKind.IDEAS, theme_ids=[nature.id], district_ids=[north.id])
    login_as()
    page = client_request.get("processes.propose", process_id=process.id)
    assert [o.text for o in page.select("select[name=district] option")] == ["Toute la commune", "Nord"]
    for field, forged in (("theme", {"theme": str(roads.id)}), ("district", {"district": str(south.id)})):
        data = {**IDEA, "theme": str(nature.id), **forged}
        page = client_request.post("processes.propose", process_id=process.id, _data=data, _expected_status=200)
        assert page.field_error(field), field
        assert page.value("title") == "Un jardin partagé"
    assert db.session.execute(db.select(db.func.count(Proposal.id))).scalar_one() == 0
    client_request.post("processes.propose", process_id=process.id,
                        _data={**IDEA, "theme": str(nature.id), "district": str(north.id)})
    assert db.session.execute(db.select(Proposal.district_id)).scalar_one() == north.id


def test_a_wrong_cost_keeps_what_was_typed(client_request, login_as):
    theme = make_theme()
    process = make_process(PhaseKind.IDEAS)
    login_as()
    page = client_request.post("processes.propose", process_id=process.id,
                               _data={**IDEA, "theme": str(theme.id), "cost_estimate": "beaucoup"},
                               _expected_status=200)
    assert page.field_error("cost_estimate") == "Saisissez un nombre entier d’euros entre 1 et 1 000 000 000."
    assert page.value("title") == "Un jardin partagé" and page.value("cost_estimate") == "beaucoup"
    assert db.session.execute(db.select(ProcessProposal)).first() is None


def test_outside_the_ideas_phase_nothing_is_proposed_into_it(client_request, login_as):
    theme = make_theme()
    process = make_process(PhaseKind.STUDY)
    login_as()
    page = client_request.post("processes.propose", process_id=process.id, _data={**IDEA, "theme": str(theme.id)},
                               _follow=True)
    assert page.notices == ["Les propositions sont déposées dans ce processus pendant sa phase d’idées seulement."]
    assert db.session.execute(db.select(Proposal)).first() is None


def test_supports_close_when_the_vote_phase_comes(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    proposal = propose_in(process)
    login_as()
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.has("form[action$='/support']")
    move_to(process, PhaseKind.VOTE)
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert not page.has("form[action$='/support']")
    assert page.text("#support p") == ("Les propositions de ce processus se soutiennent pendant ses phases "
                                       "d’idées et d’étude seulement.")
    page = client_request.post("proposals.support", proposal_id=proposal.id, _expected_status=403)
    assert "phases d’idées et d’étude seulement" in page.text()


def test_an_agent_enters_a_proposal_into_the_process_for_a_resident(client, ctx):
    theme = make_theme()
    process = make_process(PhaseKind.IDEAS)
    agent, resident = make_user(role=Role.COUNTER_AGENT), make_user()
    make_counter(agent)
    login(client, agent)
    assert open_session(client, resident).status_code == 302
    page = Page(client.get(f"/processus/{process.id}/propose"))
    data = {**IDEA, "theme": str(theme.id), FORM_TOKEN_FIELD: page.value(FORM_TOKEN_FIELD)}
    response = client.post_form(f"/processus/{process.id}/propose", data)
    assert response.status_code == 302 and "/receipt" in response.headers["Location"]
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.author_id == resident.id and proposal.was_assisted
    assert db.session.get(ProcessProposal, proposal.id).process_id == process.id
    created = db.session.execute(db.select(AssistedAction).where(
        AssistedAction.kind == AssistedActionKind.PROPOSAL_CREATED)).scalar_one()
    assert created.resident_id == resident.id
