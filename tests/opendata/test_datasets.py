"""Every dataset's files validate with the real Frictionless validator against the schema kept in schemas/, the
datasets hold together as a data package (their foreign keys), and they publish what the pages show to anybody:
nothing hidden, nothing personal. The demo's datasets are checked in test_datasets_of_the_demo.py."""
import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from frictionless import Resource, Schema, validate
from sqlalchemy import inspect as sa_inspect

import civic.app  # noqa: F401 - the factory imports every package's views, which register the datasets
from civic.accounts.models import Role, User
from civic.counters.models import AssistedAction, AssistedActionKind, Channel
from civic.counters.statistics import monday
from civic.db_types import utcnow
from civic.decisions import services
from civic.decisions.models import Method
from civic.extensions import db
from civic.followup import services as followup
from civic.followup.models import ImplementationRecord, ImplementationStatus
from civic.moderation.models import ModerationKind
from civic.opendata import datasets
from civic.opendata.files import csv_text, json_text
from civic.privacy.groups import SMALLEST_GROUP
from civic.processes.models import Feasibility, Process
from civic.proposals.models import Proposal, ProposalState
from civic.questionnaires.models import QuestionKind, TextState
from tests import growth
from tests.decisions.helpers import close, make_decision
from tests.factories import (make_answer, make_comment, make_counter, make_district, make_moderation_action,
                             make_proposal, make_support, make_theme, make_user)
from tests.opendata.helpers import data_package, dataset_files, every_cell
from tests.processes.helpers import make_process, mark_studied, propose_in
from tests.queries import recording
from tests.questionnaires.factories import make_questionnaire, respond

NAMES = sorted(d.name for d in datasets.datasets())


def test_every_dataset_of_the_issue_is_registered():
    assert set(NAMES) == {"themes", "proposals", "comments", "answers", "moderation_journal", "decisions",
                          "decision_options", "decision_districts", "decision_results", "decision_ballots",
                          "districts", "counters", "counter_statistics", "processes", "process_phases",
                          "process_themes", "process_districts", "process_proposals", "implementation_records",
                          "implementation_milestones", "implementation_changes", "questionnaire_questions",
                          "questionnaire_counts", "questionnaire_texts", "questionnaires"}


def _cast(decision, *contents):
    for content in contents:
        services.cast_ballot(make_user(), decision, content, Channel.ONLINE)
    db.session.commit()


def _publish(app, decision, official):
    close(decision)
    with app.test_request_context():
        services.publish_results(decision, official)
        db.session.commit()
    return decision


def publish_one_of_each_method(app):
    """A published vote of every method, with a few ballots (one blank); a draft, and a vote to come in a district."""
    official = make_user(role=Role.ELECTED)
    published = []
    for method in Method:
        decision = make_decision(method, state="open")
        a, b = ([o.id for o in decision.options] + [None, None])[:2]
        contents = {
            Method.YES_NO: [{"vote": "yes"}, {"vote": "no"}, {"vote": "blank"}],
            Method.SINGLE_CHOICE: [{"option": a}, {"option": b}, {"option": None}],
            Method.APPROVAL: [{"options": [a, b]}, {"options": [a]}, {"options": []}],
            Method.BUDGET: [{"options": [a]}, {"options": [b]}, {"options": []}],
            Method.MAJORITY_JUDGMENT: [{"grades": {str(o.id): g for o, g in zip(decision.options, grades)}}
                                       for grades in (("good", "reject", "fair"), ("excellent", "passable", "fair"))],
        }[method]
        _cast(decision, *contents)
        published.append(_publish(app, decision, official))
    make_decision(Method.APPROVAL, state="draft", title="Brouillon secret")
    make_decision(Method.APPROVAL, state="scheduled", districts=[make_district()])
    return published


def help_residents(counter, residents, when):
    """An agent's assisted session for each of ``residents`` new residents at ``counter``, at ``when``."""
    for _ in range(residents):
        resident = make_user()
        for kind in (AssistedActionKind.SESSION_OPENED, AssistedActionKind.PROPOSAL_CREATED,
                     AssistedActionKind.SESSION_ENDED):
            db.session.add(AssistedAction(kind=kind, counter_id=counter.id, resident_id=resident.id, created_at=when))
    db.session.commit()


@pytest.fixture
def some_records(app, ctx):
    """A little of everything every dataset publishes, and of what none may."""
    voirie = make_theme(name="=Voirie", name_en="Roads")
    make_theme(name="Écoles", active=False)
    proposal = make_proposal(theme=voirie, title="+33 bancs", place="@place du marché")
    make_support(proposal)
    make_answer(proposal)
    first = make_comment(proposal, body="-1 pour moi")
    make_comment(proposal, parent=first)
    deleted = make_comment(proposal, body="Texte supprimé")
    deleted.deleted_at = utcnow()
    make_comment(proposal, parent=deleted)
    withdrawn = make_proposal(state=ProposalState.WITHDRAWN, withdrawn_reason="Déjà fait")
    merged = make_proposal()
    merged.state, merged.merged_into_id = ProposalState.MERGED, proposal.id
    db.session.commit()
    make_moderation_action(merged, ModerationKind.MERGE, message_to_author="Message privé")
    make_moderation_action(withdrawn, ModerationKind.KEEP, public_reason="Signalements infondés")
    counter = make_counter()
    make_counter(name="Guichet fermé", active=False)
    help_residents(counter, SMALLEST_GROUP, utcnow() - timedelta(days=7))
    published = publish_one_of_each_method(app)
    a_process(app, published[-1], voirie)
    a_questionnaire()


def a_questionnaire(title="Consultation sur le marché", respondents=None):
    """A closed questionnaire with enough responses to publish its counts, texts published in one, and one whose
    texts wait for moderation; ``respondents``, an iterator of accounts, answer it (else an account made for each)."""
    questionnaire = make_questionnaire(title=title)
    respondent = (lambda: next(respondents)) if respondents else (lambda: None)
    respond(questionnaire, respondent(),
            choices={QuestionKind.SINGLE_CHOICE: [1], QuestionKind.MULTIPLE_CHOICE: [1, 2]}, scale=3,
            texts={QuestionKind.SHORT_TEXT: "=Plus d’ombre", QuestionKind.LONG_TEXT: "Un marché couvert"},
            text_state=TextState.PUBLISHED)
    for _ in range(SMALLEST_GROUP - 1):
        respond(questionnaire, respondent(),
                choices={QuestionKind.SINGLE_CHOICE: [2], QuestionKind.MULTIPLE_CHOICE: [3]}, scale=4)
    respond(questionnaire, respondent(), texts={QuestionKind.SHORT_TEXT: "En attente de modération"})


def a_process(app, decision, theme):
    """A process whose vote is ``decision``, in a district, with a studied proposal, one studied with it, one the
    pages do not show; and the follow-up of ``decision``'s projects, with a milestone and an abandoned one."""
    official = make_user(role=Role.ELECTED, name="Dominique Étudiante")
    process = make_process(title="Budget participatif 2027", theme_ids=[theme.id], district_ids=[make_district().id])
    process.decision_id = decision.id
    studied = propose_in(process, title="Un jardin partagé", cost_estimate=15_000)
    entry = mark_studied(studied, cost=20_000)
    entry.department, entry.studied_at, entry.studied_by_id = "Espaces verts", utcnow(), official.id
    with_it = propose_in(process, title="Des fleurs")
    mark_studied(with_it, Feasibility.MERGED, cost=None, reason="Étudiée avec le jardin.").merged_into_id = studied.id
    propose_in(process, title="Secret", state=ProposalState.PENDING)
    db.session.commit()
    records = db.session.execute(db.select(ImplementationRecord).order_by(ImplementationRecord.id)).scalars().all()
    with app.test_request_context():
        followup.add_milestone(official, records[0], date(2027, 3, 15), "Travaux commencés")
        followup.update_record(official, records[-1], ImplementationStatus.ABANDONED, 0, None, "Terrain inondable")
        db.session.commit()
    return process


def _report(path, dataset):
    """Frictionless's report on one file; the foreign keys to other datasets are checked with the package."""
    schema = {**dataset.schema, "foreignKeys": [key for key in dataset.schema.get("foreignKeys", ())
                                                if key["reference"]["resource"] == ""]}
    return validate(Resource(path=path.name, basepath=str(path.parent), schema=Schema.from_descriptor(schema)))


@pytest.mark.parametrize("name", NAMES)
def test_every_dataset_validates_as_csv_and_json(name, some_records, tmp_path):
    dataset = datasets.get(name)
    csv_file, json_file = dataset_files(dataset, tmp_path)
    for path in (csv_file, json_file):
        report = _report(path, dataset)
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = json.loads(json_file.read_text())
    assert rows, f"the records made hold no {name}"
    assert [list(row) for row in rows] == [dataset.fields] * len(rows)
    assert next(csv.reader(io.StringIO(csv_file.read_text(encoding="utf-8-sig")))) == dataset.fields


def test_every_dataset_has_its_schema_and_its_fields():
    for dataset in datasets.datasets():
        schema = Schema.from_descriptor(dataset.schema)  # raises on an invalid Table Schema
        assert schema.primary_key, dataset.name
        for field in dataset.schema["fields"]:
            assert {"title", "x_title_en", "description", "x_description_en"} <= field.keys(), (dataset.name, field)


def test_the_datasets_hold_together_as_a_data_package(some_records, tmp_path):
    report = data_package(tmp_path).validate()
    assert report.valid, report.flatten(["taskNumber", "rowNumber", "fieldName", "type", "note"])


def test_a_broken_foreign_key_is_caught(some_records, tmp_path):
    """The package test above would see a row naming a record that is not published."""
    package = data_package(tmp_path)
    (tmp_path / "themes.csv").write_text("\ufeffid,name,name_en,active\n", encoding="utf-8")
    report = package.validate()
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def test_what_the_pages_do_not_show_never_appears(some_records):
    author = make_user()
    hidden_states = (ProposalState.PENDING, ProposalState.CHANGES_REQUESTED, ProposalState.REJECTED,
                     ProposalState.HIDDEN)
    unseen = [make_proposal(author=author, state=state, title="Secret") for state in hidden_states]
    unseen.append(make_proposal(author=author, held_by_reports=True, title="Secret"))
    never_published = make_proposal(author=author, title="Secret")
    never_published.state, never_published.published_at = ProposalState.MERGED, None
    unseen.append(never_published)
    db.session.commit()
    for proposal in unseen:
        make_comment(proposal, author=author, body="Commentaire caché")
        make_answer(proposal, text="Réponse cachée")
    proposals = {row["id"] for row in datasets.rows(datasets.get("proposals"))}
    assert proposals and not proposals & {p.id for p in unseen}
    for name in ("comments", "answers"):
        assert {row["proposal_id"] for row in datasets.rows(datasets.get(name))} <= proposals, name
    assert "Secret" not in "".join(every_cell()) and "cachée" not in "".join(every_cell())
    assert "Brouillon secret" not in "".join(every_cell())
    comments = list(datasets.rows(datasets.get("comments")))
    assert {"Texte supprimé", "Message privé"}.isdisjoint(c for row in comments for c in row.values())
    assert {row["status"] for row in comments} == {"shown", "deleted"}


def test_the_sql_of_readable_proposals_agrees_with_the_rule(ctx):
    made = []
    for state in ProposalState:
        for held in (False, True):
            proposal = make_proposal(state=state, held_by_reports=held)
            if state is not ProposalState.PUBLISHED:
                proposal.published_at = None if held else utcnow()
            made.append(proposal)
    db.session.commit()
    from_sql = set(db.session.execute(db.select(Proposal.id).where(Proposal.readable_by_anyone)).scalars())
    assert from_sql == {p.id for p in made if p.readable_by_anyone} and from_sql


def test_results_of_votes_of_different_methods_stack(app, ctx, tmp_path):
    first, second = publish_one_of_each_method(app)[:2]
    assert first.method is not second.method
    dataset = datasets.get("decision_results")
    rows = list(datasets.rows(dataset))
    files = []
    for decision in (first, second):
        text = "".join(csv_text(dataset, [r for r in rows if r["decision_id"] == decision.id]))
        files.append(text.splitlines())
    assert files[0][0] == files[1][0]  # one header
    stacked = tmp_path / "stacked.csv"
    stacked.write_text("\n".join(files[0] + files[1][1:]) + "\n", encoding="utf-8")
    report = _report(stacked, dataset)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {row["decision_id"] for row in csv.DictReader(io.StringIO(stacked.read_text(encoding="utf-8-sig")))} == {
        str(first.id), str(second.id)}


def test_the_ballots_in_long_format_recount_as_published(app, ctx):
    decisions = publish_one_of_each_method(app)
    ballots = list(datasets.rows(datasets.get("decision_ballots")))
    results = list(datasets.rows(datasets.get("decision_results")))
    for decision in decisions:
        if decision.method in (Method.SINGLE_CHOICE, Method.APPROVAL, Method.BUDGET):
            for option in decision.options:
                marked = sum(1 for b in ballots if b["decision_id"] == decision.id and b["option_id"] == option.id)
                (votes,) = [r["value"] for r in results if (r["decision_id"], r["option_id"], r["measure"])
                            == (decision.id, option.id, "votes")]
                assert marked == votes
        codes = {b["ballot"] for b in ballots if b["decision_id"] == decision.id}
        assert len(codes) == (2 if decision.method is Method.MAJORITY_JUDGMENT else 3)


def test_counter_weeks_of_fewer_than_ten_residents_are_not_published(ctx):
    last_week = utcnow() - timedelta(days=7)
    big, small = make_counter(name="Médiathèque"), make_counter(name="Mairie annexe")
    help_residents(big, SMALLEST_GROUP, last_week)
    help_residents(small, SMALLEST_GROUP - 1, last_week)
    help_residents(big, SMALLEST_GROUP, utcnow())  # this week: not over yet
    rows = list(datasets.rows(datasets.get("counter_statistics")))
    assert rows == [{"counter_id": big.id, "week_start": monday(last_week.date()),
                     "year": last_week.isocalendar()[0], "week": last_week.isocalendar()[1],
                     "contributions": SMALLEST_GROUP, "ballots": 0, "residents": SMALLEST_GROUP}]
    schema = datasets.get("counter_statistics").schema
    (residents,) = [f for f in schema["fields"] if f["name"] == "residents"]
    assert residents["constraints"]["minimum"] == SMALLEST_GROUP


def _records(app, start, count):
    """``count`` more records of every dataset (their number ``start`` onwards). Each has accounts of its own, made in
    bulk (tests/growth.py: no password, one commit), so that a dataset reading an account per record would show it."""
    theme, counter = make_theme(), make_counter()
    official = make_user(role=Role.ELECTED)
    # Their ids, not the accounts: a session's commit expires every object it still holds, a thousand accounts each time.
    # Read from their identity keys: reading .id of an account the commit expired would load it again.
    resident_ids = iter([sa_inspect(user).identity[0] for user in growth.users(count * (SMALLEST_GROUP + 3))])
    official_ids = iter([sa_inspect(user).identity[0] for user in growth.users(count, role=Role.ELECTED)])
    residents = (db.session.get(User, user_id) for user_id in resident_ids)
    officials = (db.session.get(User, user_id) for user_id in official_ids)
    for n in range(start, start + count):
        proposal = make_proposal(author=next(residents), theme=theme, title=f"Proposition {n}")
        make_answer(proposal, author=next(officials))
        make_comment(proposal, author=next(residents))
        make_moderation_action(proposal, ModerationKind.KEEP)
        make_counter()
        make_decision(Method.APPROVAL, state="scheduled", districts=[make_district()])
        decision = make_decision(Method.APPROVAL)
        decision.options[0].proposal_id = proposal.id
        db.session.commit()
        _cast(decision, {"options": [decision.options[0].id]})
        _publish(app, decision, official)
        process = make_process(title=f"Démarche {n}", theme_ids=[theme.id], district_ids=[make_district().id])
        process.decision_id = decision.id
        mark_studied(propose_in(process, title=f"Idée {n}", cost_estimate=n + 1))
        record = db.session.execute(db.select(ImplementationRecord).where(
            ImplementationRecord.decision_id == decision.id)).scalar_one()
        record.proposal_id = proposal.id
        with app.test_request_context():
            followup.add_milestone(official, record, date(2027, 1, 1) + timedelta(days=n), f"Étape {n}")
            db.session.commit()
        a_questionnaire(f"Consultation {n}", residents)
    help_residents(counter, SMALLEST_GROUP, utcnow() - timedelta(days=7 * (start // 10 + 1)))


def _statements(app):
    counts = {}
    for dataset in datasets.datasets():
        with recording(app) as statements:
            rows = list(datasets.rows(dataset))
        assert rows, dataset.name
        counts[dataset.name] = len(statements)
    return counts


def test_a_batch_costs_the_same_statements_for_ten_and_a_hundred_records(app, ctx):
    _records(app, 0, 10)
    ten = _statements(app)
    _records(app, 10, 90)
    assert _statements(app) == ten


def test_cells_a_spreadsheet_would_run_are_quoted_in_csv_only(some_records):
    proposals = list(csv.DictReader(io.StringIO("".join(csv_text(datasets.get("proposals"))).lstrip("\ufeff"))))
    (row,) = [r for r in proposals if r["title"].endswith("33 bancs")]
    assert (row["title"], row["place"]) == ("'+33 bancs", "'@place du marché")
    comments = "".join(csv_text(datasets.get("comments")))
    assert "'-1 pour moi" in comments
    assert {"title": "+33 bancs"}.items() <= next(r for r in json.loads("".join(json_text(datasets.get("proposals"))))
                                                 if "bancs" in r["title"]).items()


def _budget_process():
    """The row of some_records' participatory budget (its consultation is another process)."""
    return [r for r in datasets.rows(datasets.get("processes")) if r["title"] == "Budget participatif 2027"]


def test_processes_and_their_follow_up_publish_what_their_pages_show(app, some_records):
    (process_row,) = _budget_process()
    entries = {row["proposal_id"]: row for row in datasets.rows(datasets.get("process_proposals"))}
    readable = {p.id: p for p in db.session.execute(db.select(Proposal).where(Proposal.title.in_(
        ["Un jardin partagé", "Des fleurs", "Secret"]))).scalars()}
    garden, flowers = (next(p for p in readable.values() if p.title == t) for t in ("Un jardin partagé", "Des fleurs"))
    assert set(entries) == {garden.id, flowers.id}  # the pending one is not shown
    assert {k: entries[garden.id][k] for k in ("process_id", "cost_estimate", "feasibility", "estimated_cost",
                                               "department")} == {"process_id": process_row["id"],
                                                                  "cost_estimate": 15_000, "feasibility": "feasible",
                                                                  "estimated_cost": 20_000, "department": "Espaces verts"}
    assert (entries[flowers.id]["feasibility"], entries[flowers.id]["merged_into_id"]) == ("merged", garden.id)
    assert "Dominique" not in "".join(every_cell())  # who studied it
    phases = [p for p in datasets.rows(datasets.get("process_phases")) if p["process_id"] == process_row["id"]]
    assert [p["position"] for p in phases] == [1, 2, 3, 4, 5]
    assert (process_row["first_day"], process_row["last_day"]) == (phases[0]["starts_on"], phases[-1]["ends_on"])
    records = list(datasets.rows(datasets.get("implementation_records")))
    abandoned = [r for r in records if r["status"] == "abandoned"]
    assert [r["abandon_reason"] for r in abandoned] == ["Terrain inondable"]
    assert [m["text"] for m in datasets.rows(datasets.get("implementation_milestones"))] == ["Travaux commencés"]
    changes = list(datasets.rows(datasets.get("implementation_changes")))
    assert {"milestone", "status", "reason"} <= {c["field"] for c in changes}
    assert {c["author_role"] for c in changes if c["field"] == "milestone"} == {"elected"}


def test_what_a_process_and_a_record_name_is_published_only_while_it_is_shown(app, some_records):
    garden = db.session.execute(db.select(Proposal).where(Proposal.title == "Un jardin partagé")).scalar_one()
    record = db.session.execute(db.select(ImplementationRecord).order_by(ImplementationRecord.id)).scalars().first()
    record.proposal_id = garden.id
    db.session.commit()
    assert garden.id in {r["proposal_id"] for r in datasets.rows(datasets.get("implementation_records"))}
    (process_row,) = _budget_process()
    assert process_row["decision_id"] is not None
    process = db.session.get(Process, process_row["id"])
    process.decision_id = make_decision(Method.BUDGET, state="draft").id
    garden.state = ProposalState.HIDDEN
    db.session.commit()
    (row,) = [r for r in datasets.rows(datasets.get("implementation_records")) if r["id"] == record.id]
    assert row["proposal_id"] is None
    entries = list(datasets.rows(datasets.get("process_proposals")))
    assert garden.id not in {e["proposal_id"] for e in entries} and {e["merged_into_id"] for e in entries} == {None}
    (process_row,) = _budget_process()
    assert process_row["decision_id"] is None  # a vote built but not announced: the page does not link it yet


def test_a_hidden_and_a_held_comment_keep_their_place_without_their_text_or_author(ctx):
    proposal = make_proposal()
    hidden = make_comment(proposal, author=make_user(name="Auteur Masqué"), body="Propos injurieux")
    held = make_comment(proposal, author=make_user(name="Auteur Signalé"), body="Propos signalé")
    hidden.hidden_at, hidden.moderation_reason = utcnow(), "Insulte."
    held.held_by_reports = True
    db.session.commit()
    rows = {row["id"]: row for row in datasets.rows(datasets.get("comments"))}
    assert (rows[hidden.id]["status"], rows[hidden.id]["moderation_reason"]) == ("hidden", "Insulte.")
    assert (rows[held.id]["status"], rows[held.id]["moderation_reason"]) == ("held", None)
    for row in (rows[hidden.id], rows[held.id]):
        assert row["proposal_id"] == proposal.id
        assert [row[k] for k in ("author_name", "body", "language", "channel", "created_at")] == [None] * 5


def test_the_public_conditions_are_written_once():
    """What the datasets, feeds, lists and sitemap call announced, published or public is the models' one condition:
    a second spelling of it drifts when the rule changes."""
    written = {"Decision.announced_at.is_not(None)": "civic/decisions/models.py",
               "Decision.published_at.is_not(None)": "civic/decisions/models.py",
               "Proposal.state.in_(PUBLIC_STATES), Proposal.held_by_reports.is_(False)": None}
    root = Path(civic.app.__file__).resolve().parents[1]
    for path in sorted((root / "civic").rglob("*.py")):
        text, name = path.read_text(encoding="utf-8"), str(path.relative_to(root))
        for condition, home in written.items():
            assert condition not in text or name == home, (condition, name)
