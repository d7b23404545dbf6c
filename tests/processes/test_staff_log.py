"""What officials do to a process is in the staff log: its creation, each change (what changed, before and
after), the vote built from it. (The study: test_study.py; the follow-up's changes: tests/followup.)"""
from civic.access import Role
from civic.extensions import db
from civic.processes.models import Feasibility, PhaseKind, Process
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.processes.helpers import make_process, mark_studied, propose_in
from tests.processes.test_editing import _form
from tests.processes.test_processes import _form as _new_form


def _entries():
    return db.session.execute(db.select(StaffLogEntry).order_by(StaffLogEntry.id)).scalars().all()


def test_creating_and_changing_a_process_are_logged_with_what_changed(client, client_request, login_as):
    official = login_as(Role.ELECTED, name="Hélène Garnier")
    client_request.post("processes.new", _data=_new_form())
    process = db.session.execute(db.select(Process)).scalar_one()
    [created] = _entries()
    assert (created.actor_id, created.area, created.action, created.object_type, created.object_id) == (
        official.id, "process", "create", TargetType.PROCESS, process.id)
    assert created.before_data == {} and created.after_data["budget"] == 100_000
    assert created.after_data["phases"][0].startswith("ideas ")
    client_request.post("processes.edit", process_id=process.id, _data=_form(process, title="Budget 2028",
                                                                              budget="120 000"))
    changed = _entries()[-1]
    assert changed.action == "update"
    assert (changed.before_data, changed.after_data) == ({"title": "Budget participatif 2027", "budget": 100_000},
                                                         {"title": "Budget 2028", "budget": 120_000})
    # Saved again unchanged: nothing to log.
    client_request.post("processes.edit", process_id=process.id, _data=_form(process))
    assert len(_entries()) == 2

    client.post_form("/logout")
    login_as(Role.ADMIN)
    page = client_request.get("admin.staff_log", _query={"area": "process"})
    assert f"Processus n° {process.id} modifié — par Hélène Garnier." in page.text("main")
    assert f"Processus n° {process.id} créé — par Hélène Garnier." in page.text("main")
    page = client_request.get("admin.staff_log_entry", staff_log_entry_id=changed.id)
    assert "Budget participatif 2027" in page.text("main") and "Budget 2028" in page.text("main")


def test_building_the_vote_is_logged(client_request, login_as):
    process = make_process(PhaseKind.STUDY)
    for title in ("Un jardin", "Des bancs"):
        mark_studied(propose_in(process, title=title), Feasibility.FEASIBLE)
    official = login_as(Role.ELECTED)
    client_request.post("processes.build_vote", process_id=process.id, _data={"method": "budget",
                                                                               "budget_rule": "greedy"})
    built = _entries()[-1]
    assert (built.actor_id, built.action, built.object_type, built.object_id) == (
        official.id, "build_vote", TargetType.DECISION, db.session.get(Process, process.id).decision_id)
    assert built.after_data == {"process": process.id, "options": 2}
