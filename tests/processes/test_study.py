"""The technical study: a queue per process, a study per proposal shown on its page, told to its author and
followers, logged; nothing removed."""
from civic.access import Role
from civic.extensions import db
from civic.following.models import Follow
from civic.processes import services
from civic.processes.models import Feasibility, PhaseKind, ProcessProposal
from civic.proposals.models import Proposal, ProposalState
from civic.staff_log import StaffLogEntry
from tests.factories import PASSWORD, login, make_user
from tests.processes.helpers import make_process, mark_studied, propose_in

STUDY = {"feasibility": "feasible", "estimated_cost": "25 000", "reason": "Le terrain appartient à la ville.",
         "department": "Direction des espaces verts"}


def test_the_queue_lists_the_proposals_to_study_oldest_first_page_by_page(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    proposals = [propose_in(process, title=f"Idée {n:02}") for n in range(23)]
    propose_in(process, title="En attente", state=ProposalState.PENDING)
    mark_studied(proposals[0])
    login_as(Role.MODERATOR)
    page = client_request.get("processes.study_queue", process_id=process.id)
    assert page.h1 == "Étude technique : Budget participatif 2027"
    titles = [a.text for a in page.select("table a")]
    assert titles == [f"Idée {n:02}" for n in range(1, 21)]
    page = client_request.get("processes.study_queue", process_id=process.id,
                              _query={"page": 2, "after": page.select_one("a[rel=next]")["href"].split("after=")[1]})
    assert [a.text for a in page.select("table a")] == ["Idée 21", "Idée 22"]
    page = client_request.get("processes.study_queue", process_id=process.id, _query={"all": 1})
    assert page.select("table a")[0].text == "Idée 00" and "Faisable" in page.select("tbody tr")[0].text


def test_a_study_is_shown_told_and_logged(client_request, login_as, outbox):
    author = make_user(email="autrice@example.org")
    process = make_process(PhaseKind.STUDY)
    proposal = propose_in(process, author=author)
    follower = make_user(email="abonne@example.org")
    db.session.add(Follow(user_id=follower.id, target_type="proposal", target_id=proposal.id))
    db.session.commit()
    moderator = login_as(Role.MODERATOR)
    page = client_request.get("processes.study", process_id=process.id, proposal_id=proposal.id)
    assert page.h1 == f"Étude de la proposition n° {proposal.id}"
    assert len(page.select("fieldset input[name=feasibility]")) == 3
    client_request.post("processes.study", process_id=process.id, proposal_id=proposal.id, _data=STUDY)
    entry = db.session.get(ProcessProposal, proposal.id)
    assert (entry.feasibility, entry.estimated_cost) == (Feasibility.FEASIBLE, 25_000)
    assert entry.studied_by_id == moderator.id
    assert sorted(m["to"] for m in outbox) == ["abonne@example.org", "autrice@example.org"]
    body = outbox[0]["body"].replace("\u202f", " ")
    assert "Faisabilité : Faisable\nCoût estimé : 25 000 €\n\nLe terrain appartient à la ville." in body
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.text("#process h3") == "Étude technique : Faisable"
    assert "Coût estimé : 25 000 €" in page.text("#process")
    assert "Service consulté : Direction des espaces verts" in page.text("#process")
    # The same study again changes nothing; a change of feasibility is told again, and logged with before and after.
    client_request.post("processes.study", process_id=process.id, proposal_id=proposal.id, _data=STUDY)
    assert len(outbox) == 2
    client_request.post("processes.study", process_id=process.id, proposal_id=proposal.id,
                        _data={**STUDY, "feasibility": "not_feasible", "estimated_cost": "",
                               "reason": "Le sol est pollué."})
    assert len(outbox) == 4 and "Faisabilité : Faisable → Non faisable" in outbox[-1]["body"].replace("\u202f", " ")
    entries = db.session.execute(db.select(StaffLogEntry).where(StaffLogEntry.action == "study")
                                 .order_by(StaffLogEntry.id)).scalars().all()
    assert [(e.area, e.object_id) for e in entries] == [("process", proposal.id)] * 2
    assert entries[1].before_data["feasibility"] == "feasible"
    assert entries[1].after_data["feasibility"] == "not_feasible"
    # Not feasible: still public, with its reason.
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.h1 == "Un jardin partagé"
    assert page.text("#process h3") == "Étude technique : Non faisable"
    assert "Le sol est pollué." in page.text("#process")


def test_a_study_refused_keeps_what_was_typed(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    proposal = propose_in(process)
    outside = propose_in(make_process())
    login_as(Role.ELECTED)
    page = client_request.post("processes.study", process_id=process.id, proposal_id=proposal.id,
                               _data={**STUDY, "estimated_cost": ""}, _expected_status=200)
    assert page.field_error("estimated_cost") == "Donnez le coût estimé d’un projet faisable : le vote le reprend."
    assert page.value("reason") == "Le terrain appartient à la ville."
    page = client_request.post("processes.study", process_id=process.id, proposal_id=proposal.id,
                               _data={**STUDY, "reason": ""}, _expected_status=200)
    assert page.field_error("reason") == "Écrivez le motif : les habitants le lisent avec l’étude."
    page = client_request.post("processes.study", process_id=process.id, proposal_id=proposal.id,
                               _data={**STUDY, "feasibility": "merged", "merged_into": str(outside.id)},
                               _expected_status=200)
    assert page.field_error("merged_into") == MERGE_REFUSED
    assert not db.session.get(ProcessProposal, proposal.id).studied


MERGE_REFUSED = "Donnez le numéro d’une autre proposition publiée de ce processus, qui ne soit pas elle-même fusionnée."


def test_only_what_residents_read_is_studied_or_merged_into(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    first, second = propose_in(process, title="Un jardin"), propose_in(process, title="Un potager")
    pending = propose_in(process, title="En attente", state=ProposalState.PENDING)
    login_as(Role.ELECTED)
    client_request.get("processes.study", process_id=process.id, proposal_id=pending.id, _expected_status=404)
    client_request.post("processes.study", process_id=process.id, proposal_id=pending.id, _data=STUDY,
                        _expected_status=404)
    merge = {**STUDY, "feasibility": "merged", "estimated_cost": ""}
    page = client_request.post("processes.study", process_id=process.id, proposal_id=first.id,
                               _data={**merge, "merged_into": str(pending.id)}, _expected_status=200)
    assert page.field_error("merged_into") == MERGE_REFUSED
    client_request.post("processes.study", process_id=process.id, proposal_id=first.id,
                        _data={**merge, "merged_into": str(second.id)})
    page = client_request.post("processes.study", process_id=process.id, proposal_id=second.id,
                               _data={**merge, "merged_into": str(first.id)}, _expected_status=200)
    assert page.field_error("merged_into") == MERGE_REFUSED  # no loop
    assert not db.session.get(ProcessProposal, second.id).studied and not db.session.get(ProcessProposal, pending.id).studied


def test_merged_into_another_proposal_of_the_process(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    kept, merged = propose_in(process, title="Un jardin"), propose_in(process, title="Un potager")
    login_as(Role.MODERATOR)
    client_request.post("processes.study", process_id=process.id, proposal_id=merged.id,
                        _data={**STUDY, "feasibility": "merged", "estimated_cost": "", "merged_into": f"#{kept.id}"})
    page = client_request.get("proposals.detail", proposal_id=merged.id)
    assert page.text("#process h3") == "Étude technique : Fusionnée dans une autre proposition"
    assert page.select_one("#process a[href$='/proposals/%d']" % kept.id).text == f"Proposition n° {kept.id}"


def test_the_study_opens_with_its_phase_and_closes_when_the_vote_is_built(app, client_request, login_as):
    login_as(Role.MODERATOR)
    early = make_process(PhaseKind.IDEAS)
    page = client_request.get("processes.study_queue", process_id=early.id, _follow=True, _expected_status=302)
    assert page.notices[-1].startswith("L’étude technique de ce processus commence le ")
    process = make_process(PhaseKind.VOTE, title="Autre")
    built = propose_in(process)
    mark_studied(built), mark_studied(propose_in(process))
    with app.test_request_context():
        services.build_vote(process, make_user(role=Role.ELECTED), "Quels projets ?")
    db.session.commit()
    page = client_request.post("processes.study", process_id=process.id, proposal_id=built.id, _data=STUDY,
                               _follow=True)
    assert page.notices == ["Le vote de ce processus est construit : les études dont il est issu ne peuvent plus "
                            "changer."]
    assert db.session.get(ProcessProposal, built.id).study_reason == "Faisable par les services."


def test_an_author_removing_their_contributions_keeps_what_a_study_refers_to(client, ctx):
    process = make_process(PhaseKind.STUDY)
    resident = make_user()
    unstudied, studied, kept = (propose_in(process, author=resident, title=t).id
                                for t in ("Seule", "Étudiée", "Gardée"))
    mark_studied(db.session.get(Proposal, studied), Feasibility.NOT_FEASIBLE, cost=None, reason="Trop cher.")
    merged = mark_studied(propose_in(process), Feasibility.MERGED, cost=None)
    merged.merged_into_id = kept
    db.session.commit()
    login(client, resident)
    assert client.post_form("/account/delete", {"contributions": "remove", "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Proposal, unstudied) is None and db.session.get(ProcessProposal, unstudied) is None
    assert db.session.get(Proposal, studied) is not None and db.session.get(Proposal, kept) is not None
    assert db.session.get(ProcessProposal, studied).study_reason == "Trop cher."


def test_admins_read_the_studies_in_the_staff_log(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    kept, merged = propose_in(process), propose_in(process)
    moderator = make_user(role=Role.MODERATOR, name="Marc Modérateur")
    with client_request.client.application.test_request_context():
        services.study(db.session.get(ProcessProposal, merged.id), moderator, feasibility=Feasibility.MERGED,
                       estimated_cost=None, reason="Même lieu.", department=None, merged_into_id=kept.id)
    db.session.commit()
    login_as(Role.ADMIN)
    page = client_request.get("admin.staff_log", _query={"area": "process"})
    assert f"Proposition n° {merged.id} étudiée — par Marc Modérateur." in page.text("main")
    entry = db.session.execute(db.select(StaffLogEntry).where(StaffLogEntry.action == "study")).scalar_one()
    page = client_request.get("admin.staff_log_entry", staff_log_entry_id=entry.id)
    assert f"Proposition n° {kept.id}" in page.text("main")
