"""The follow-up of what was decided: records opened by publications and answers, changed by officials with a
public append-only history, followed by e-mail, listed with totals computed from the records."""
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DatabaseError

from civic.accounts.models import District, Role
from civic.answers.models import AnswerStatus
from civic.answers.services import answer
from civic.decisions import services as decisions
from civic.decisions.models import Method
from civic.extensions import db
from civic.following.services import is_following
from civic.followup import services
from civic.followup.models import ChangedField, ImplementationRecord, ImplementationStatus, RecordChange
from civic.mail import deliver_pending
from civic.moderation import services as moderation
from civic.moderation.models import ModerationKind
from civic.opendata import datasets
from civic.proposals.models import Proposal
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.client import Page
from tests.decisions.helpers import close, make_decision
from tests.factories import login, make_proposal, make_theme, make_user
from tests.queries import recording

TO_DO, UNDER_WAY, DONE, ABANDONED = (ImplementationStatus.TO_DO, ImplementationStatus.UNDER_WAY,
                                     ImplementationStatus.DONE, ImplementationStatus.ABANDONED)


def make_record(title="Des bancs place du marché", status=TO_DO, progress=0, voted_cost=None, actual_cost=None,
                reason="", **fields):
    record = ImplementationRecord(title=title, status=status, progress=progress, voted_cost=voted_cost,
                                  actual_cost=actual_cost, reason=reason, **fields)
    db.session.add(record)
    db.session.flush()
    db.session.add(RecordChange(record_id=record.id, field=ChangedField.OPENED, after=status.value))
    db.session.commit()
    return record


def _published_budget(ballots):
    """A closed participatory budget whose options come from proposals, published after ``ballots``."""
    proposals = [make_proposal(title=f"Projet {n}") for n in range(3)]
    decision = make_decision(Method.BUDGET, options=("Parc", "Piscine", "Médiathèque"), costs=[40, 50, 30],
                             budget=100)
    for option, proposal in zip(decision.options, proposals):
        option.proposal_id = proposal.id
    db.session.commit()
    for chosen in ballots:
        decisions.cast_ballot(make_user(), decision, {"options": sorted(decision.options[i].id for i in chosen)})
    close(decision)
    official = make_user(role=Role.ELECTED)
    decisions.publish_results(decision, official)
    db.session.commit()
    return decision, proposals


def _records():
    return db.session.execute(select(ImplementationRecord).order_by(ImplementationRecord.id)).scalars().all()


# --- Opening ----------------------------------------------------------------------------------------------------

def test_publishing_results_opens_a_record_for_each_winning_project(ctx):
    # Parc (40) and Médiathèque (30) fit the budget of 100 after Parc; Piscine (50) does not once Parc is in.
    decision, proposals = _published_budget([(0,), (0, 2), (0, 1), (2,), (1,)])
    records = _records()
    winners = {o.id: o for o in decision.options if o.label in ("Parc", "Médiathèque")}
    assert {r.option_id for r in records} == set(winners)
    for record in records:
        option = winners[record.option_id]
        assert (record.title, record.voted_cost, record.decision_id, record.status, record.progress) == (
            option.label, option.cost, decision.id, TO_DO, 0)
        assert record.proposal_id == option.proposal_id
        assert record.theme_id == db.session.get(type(proposals[0]), option.proposal_id).theme_id
        [opened] = db.session.execute(select(RecordChange).where(RecordChange.record_id == record.id)).scalars()
        assert (opened.field, opened.after, opened.author_role) == (ChangedField.OPENED, "to_do", Role.ELECTED)


def test_only_votes_on_projects_open_records(ctx):
    yes_no = make_decision(Method.YES_NO)
    names = make_decision(Method.SINGLE_CHOICE)  # names without cost nor proposal: nothing to build
    for decision, ballot in ((yes_no, {"vote": "yes"}), (names, None)):
        decisions.cast_ballot(make_user(), decision, ballot or {"option": decision.options[0].id})
        close(decision)
        decisions.publish_results(decision, make_user(role=Role.ELECTED))
    db.session.commit()
    assert _records() == []


def test_an_accepted_answer_opens_one_record_and_a_refusal_none(ctx):
    official = make_user(role=Role.ELECTED)
    accepted, refused = make_proposal(title="Un composteur"), make_proposal(title="Un parking")
    answer(official, accepted, AnswerStatus.ACCEPTED, "Oui, au printemps.")
    answer(official, refused, AnswerStatus.REJECTED, "Non.")
    answer(official, accepted, AnswerStatus.DONE, "Il est installé.")  # a change of status: still one record
    db.session.commit()
    [record] = _records()
    assert (record.proposal_id, record.title, record.theme_id, record.voted_cost, record.status) == (
        accepted.id, "Un composteur", accepted.theme_id, None, TO_DO)


def test_a_proposal_that_won_a_vote_gets_no_second_record_when_accepted(ctx):
    _decision, proposals = _published_budget([(0,)])
    answer(make_user(role=Role.ELECTED), proposals[0], AnswerStatus.ACCEPTED, "Retenu.")
    db.session.commit()
    assert [r.proposal_id for r in _records()] == [proposals[0].id]


# --- Changing: history, validation, staff log, e-mails -----------------------------------------------------------

def _update(client, record, **data):
    form = {"status": record.status.value, "progress": str(record.progress), "actual_cost": "", "reason": "",
            "theme": "", "district": ""}
    form.update(data)
    return client.post_form(f"/realisations/{record.id}/edit", form)


def test_every_change_is_in_the_public_history_signed_with_a_role(client_request, login_as):
    record = make_record(voted_cost=40000)
    login_as(Role.ELECTED)
    page = client_request.post("followup.edit", implementation_record_id=record.id, _follow=True, _data={
        "status": "under_way", "progress": "40 %", "actual_cost": "12 500 €", "reason": "", "theme": "",
        "district": ""})
    assert page.notices == ["Le suivi est enregistré ; son historique montre le changement et les personnes qui le "
                            "suivent sont prévenues du nouveau statut par courriel."]
    changes = db.session.execute(select(RecordChange).where(RecordChange.record_id == record.id)
                                 .order_by(RecordChange.id)).scalars().all()
    assert [(c.field, c.before, c.after, c.author_role) for c in changes] == [
        (ChangedField.OPENED, None, "to_do", None),
        (ChangedField.STATUS, "to_do", "under_way", Role.ELECTED),
        (ChangedField.PROGRESS, "0", "40", Role.ELECTED),
        (ChangedField.ACTUAL_COST, None, "12500", Role.ELECTED),
    ]
    history = [line.split(", ", 2)[2] for line in page.texts("#history + p + ol li")]  # after the date and time
    assert history == ["Villeneuve-sur-Lys — Élu : Statut : À faire → En cours",
                       "Villeneuve-sur-Lys — Élu : Avancement : 0 % → 40 %",
                       "Villeneuve-sur-Lys — Élu : Coût réel : — → 12 500 €"] + history[3:]
    assert page.texts("#history + p + ol li")[3].endswith(" : suivi ouvert, statut « À faire »")
    assert page.text(".progress-line") == "Avancement : 40 % 40 %"
    assert page.select_one("progress")["value"] == "40"
    entry = db.session.execute(select(StaffLogEntry).where(StaffLogEntry.area == "followup")).scalar_one()
    assert entry.after_data == {"status": "under_way", "progress": "40", "actual_cost": "12500"}
    # Saving the same again writes nothing.
    again = client_request.post("followup.edit", implementation_record_id=record.id, _follow=True, _data={
        "status": "under_way", "progress": "40", "actual_cost": "12500", "reason": "", "theme": "", "district": ""})
    assert again.notices == ["Le suivi disait déjà cela : rien n’est changé."]
    assert db.session.execute(select(db.func.count(RecordChange.id))).scalar_one() == 4


def test_the_history_cannot_be_changed_nor_removed(ctx):
    record = make_record()
    for statement in (update(RecordChange).values(after="done"),
                      db.delete(RecordChange).where(RecordChange.record_id == record.id)):
        with pytest.raises(DatabaseError, match="append-only"):
            with db.session.begin_nested():
                db.session.execute(statement)
    assert db.session.execute(select(RecordChange.after)).scalars().all() == ["to_do"]


@pytest.mark.parametrize("data, field, message", [
    ({"status": "abandoned", "reason": ""}, "reason",
     "Dites pourquoi le projet est abandonné : les habitants lisent la raison avec son statut."),
    ({"progress": "beaucoup"}, "progress", "Saisissez l’avancement en nombre entier de 0 à 100."),
    ({"progress": "140"}, "progress", "Saisissez l’avancement en nombre entier de 0 à 100."),
    ({"progress": ""}, "progress", "Saisissez l’avancement en nombre entier de 0 à 100."),
    ({"status": "done", "progress": "60"}, "progress",
     "Un projet réalisé est à 100 % : indiquez 100 ou choisissez un autre statut."),
    ({"actual_cost": "-3"}, "actual_cost",
     "Saisissez le coût réel en euros entiers, de 0 à 1 000 000 000, ou laissez le champ vide."),
    ({"actual_cost": "2000000000"}, "actual_cost",
     "Saisissez le coût réel en euros entiers, de 0 à 1 000 000 000, ou laissez le champ vide."),
    ({"theme": "999999"}, "theme", "Choisissez un thème dans la liste."),
])
def test_a_refused_update_says_why_keeps_what_was_typed_and_changes_nothing(client, ctx, data, field, message):
    record = make_record()
    login(client, make_user(role=Role.ELECTED))
    response = _update(client, record, **{"progress": "30", "actual_cost": "1 200", **data})
    page = Page(response)
    assert response.status_code == 200 and page.title.startswith("Erreur : ")
    assert page.field_error(field) == message and page.errors == [message]
    assert page.value("progress") == data.get("progress", "30") or field == "progress"
    db.session.expire_all()
    assert (record.status, record.progress) == (TO_DO, 0)
    assert db.session.execute(select(db.func.count(RecordChange.id))).scalar_one() == 1


def test_abandoning_says_why_in_public(client_request, login_as):
    record = make_record()
    login_as(Role.ADMIN)
    page = client_request.post("followup.edit", implementation_record_id=record.id, _follow=True, _data={
        "status": "abandoned", "progress": "0", "actual_cost": "", "reason": "Le terrain n’est pas constructible.",
        "theme": "", "district": ""})
    assert "Pourquoi il a été abandonné : Le terrain n’est pas constructible." in page.text("main")
    assert page.select_one(".tag").get_text() == "Abandonné"


def test_followers_are_mailed_each_milestone_and_change_of_status_not_of_progress(app, client, ctx, outbox):
    record = make_record(title="Le city-stade")
    resident = app.test_client()
    login(resident, make_user(email="suit@example.org"))
    assert resident.post_form(f"/follow/implementation/{record.id}").status_code == 302
    login(client, make_user(role=Role.ELECTED))
    assert _update(client, record, progress="20").status_code == 302
    assert outbox == []
    assert client.post_form(f"/realisations/{record.id}/milestones", {
        "milestone-day": "15/03/2027", "milestone-text": "Permis de construire déposé"}).status_code == 302
    assert _update(client, record, status="under_way", progress="30").status_code == 302
    assert [m["to"] for m in outbox] == ["suit@example.org", "suit@example.org"]
    assert outbox[0]["subject"] == "Suivi des réalisations : une nouvelle étape pour « Le city-stade »"
    assert "15 mars 2027 — Permis de construire déposé" in outbox[0]["body"]
    assert "/unsubscribe/" in outbox[0]["body"]
    assert outbox[1]["subject"] == "Suivi des réalisations : « Le city-stade » a changé de statut"
    assert "À faire → En cours" in outbox[1]["body"]
    assert Page(client.get(f"/realisations/{record.id}")).texts(".milestones li") == [
        "15 mars 2027 — Permis de construire déposé"]


@pytest.mark.parametrize("data, field, message", [
    ({"milestone-day": "", "milestone-text": "Travaux"}, "milestone-day",
     "Saisissez le jour de l’étape, par exemple 15/03/2027."),
    ({"milestone-day": "31/02/2027", "milestone-text": "Travaux"}, "milestone-day",
     "Cette date n’existe pas : vérifiez le jour et le mois."),
    ({"milestone-day": "01/01/1850", "milestone-text": "Travaux"}, "milestone-day",
     "Saisissez un jour entre les années 2000 et 2100."),
    ({"milestone-day": "01/04/2027", "milestone-text": ""}, "milestone-text",
     "Dites en une phrase ce qui a été fait ou décidé."),
])
def test_a_refused_milestone_says_why_and_keeps_what_was_typed(client, ctx, outbox, data, field, message):
    record = make_record()
    login(client, make_user(role=Role.ELECTED))
    response = client.post_form(f"/realisations/{record.id}/milestones", data)
    page = Page(response)
    assert response.status_code == 200 and page.field_error(field) == message
    assert page.value("milestone-text") == data["milestone-text"]
    assert outbox == [] and services.milestones(record) == []


# --- Permissions -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, edit, milestone", [
    (None, 302, 302),  # to the log-in page
    (Role.RESIDENT, 403, 403),
    (Role.COUNTER_AGENT, 403, 403),
    (Role.MODERATOR, 403, 403),
    (Role.ELECTED, 200, 302),
    (Role.ADMIN, 200, 302),
])
def test_only_officials_change_a_record_and_everyone_reads_it(client, ctx, role, edit, milestone):
    record = make_record()
    if role is not None:
        login(client, make_user(role=role))
    assert client.get(f"/realisations/{record.id}").status_code == 200
    assert client.get("/realisations/").status_code == 200
    response = client.get(f"/realisations/{record.id}/edit")
    assert response.status_code == edit
    if edit == 403:
        assert Page(response).h1 and "autorisation" in Page(response).text("main")
    assert client.post_form(f"/realisations/{record.id}/milestones", {
        "milestone-day": "15/03/2027", "milestone-text": "Travaux"}).status_code == milestone
    assert client.get("/realisations/987654").status_code == 404


# --- Lists, totals and links -------------------------------------------------------------------------------------

def test_totals_are_computed_from_the_records_abandoned_and_done_included(client_request):
    make_record("A", DONE, 100, voted_cost=40000, actual_cost=38500)
    make_record("B", UNDER_WAY, 30, voted_cost=90000, actual_cost=12000)
    make_record("C", ABANDONED, 10, voted_cost=20000, actual_cost=1500, reason="Terrain inondable.")
    make_record("D", TO_DO, 0)  # an accepted proposal: no cost voted
    make_record("E", TO_DO, 0, voted_cost=5000)
    totals = services.totals()
    assert totals.count == {TO_DO: 2, UNDER_WAY: 1, DONE: 1, ABANDONED: 1}
    assert (totals.spent, totals.voted, totals.records) == (52000, 155000, 5)
    page = client_request.get("followup.index")
    figures = dict(zip(page.texts(".totals dt"), page.texts(".totals dd")))
    assert figures == {"À faire": "2 projets", "En cours": "1 projet", "Réalisé": "1 projet", "Abandonné": "1 projet",
                       "Budget dépensé": "52 000 €", "Budget voté": "155 000 €"}
    # The status filter narrows the list, not the totals.
    page = client_request.get("followup.index", status="abandoned")
    assert page.texts(".cards .card-title") == ["C"]
    assert dict(zip(page.texts(".totals dt"), page.texts(".totals dd")))["Réalisé"] == "1 projet"


def test_the_list_filters_by_theme_and_district(client, client_request):
    theme, district = make_theme("Mobilités"), District(name="Les Tilleuls")
    db.session.add(district)
    db.session.commit()
    make_record("Piste cyclable", theme_id=theme.id)
    composteur = make_record("Composteur")
    login(client, make_user(role=Role.ELECTED))
    assert _update(client, composteur, district=str(district.id)).status_code == 302
    entry = db.session.execute(select(StaffLogEntry).where(StaffLogEntry.area == "followup")).scalar_one()
    assert (entry.before_data, entry.after_data) == ({"theme_id": None, "district_id": None},
                                                     {"theme_id": None, "district_id": district.id})
    make_record("Bancs")
    assert client_request.get("followup.index", theme=theme.id).texts(".cards .card-title") == ["Piste cyclable"]
    assert client_request.get("followup.index", district=district.id).texts(".cards .card-title") == ["Composteur"]
    assert client_request.get("followup.index").texts(".cards .card-title") == ["Bancs", "Composteur",
                                                                               "Piste cyclable"]
    assert services.totals(theme_id=theme.id).records == 1


def test_a_scope_limits_records_and_totals_to_a_set_of_decisions_and_proposals(ctx):
    decision, _proposals = _published_budget([(0,)])
    answered = make_proposal(title="Hors vote")
    answer(make_user(role=Role.ELECTED), answered, AnswerStatus.ACCEPTED, "Oui.")
    make_record("Ailleurs")
    db.session.commit()
    scope = services.Scope(decisions=select(db.literal(decision.id)), proposals=select(db.literal(answered.id)))
    assert sorted(r.title for r in services.records(scope).items) == ["Hors vote", "Parc"]
    assert services.totals(scope).records == 2 and services.totals().records == 3


def test_the_list_is_paginated_and_costs_the_same_statements_with_ten_times_the_records(client, app, ctx):
    def cost():
        with recording(app) as statements:
            assert client.get("/realisations/").status_code == 200
        return len(statements)

    for n in range(3):
        make_record(f"Projet {n}", UNDER_WAY, 10, theme_id=make_theme().id)
    few = cost()
    for n in range(30):
        make_record(f"Autre {n}", UNDER_WAY, 10, theme_id=make_theme().id)
    assert cost() == few
    page = client.get("/realisations/").get_data(as_text=True)
    assert 'rel="next"' in page


def test_the_record_page_costs_the_same_statements_with_ten_times_the_history(client, app, ctx):
    record = make_record()
    official = make_user(role=Role.ELECTED)

    def cost():
        with recording(app) as statements:
            assert client.get(f"/realisations/{record.id}").status_code == 200
        return len(statements)

    def grow(n):
        for i in range(n):
            services.update_record(official, record, UNDER_WAY, (record.progress + 1) % 100, None)
            services.add_milestone(official, record, date(2027, 2, 1), f"Étape {i}")
        db.session.commit()

    grow(services.CHANGES_SHOWN)  # past what the page shows: it counts the rest
    few = cost()
    grow(10 * services.CHANGES_SHOWN)
    assert cost() == few
    assert client.get(f"/realisations/{record.id}").get_data(as_text=True).count("<li>") >= services.CHANGES_SHOWN


def test_the_proposal_and_the_results_link_to_their_records(client_request):
    decision, proposals = _published_budget([(0,)])
    [record] = _records()
    link = ("Suivi de « Parc »", client_request.url("followup.detail", implementation_record_id=record.id))
    assert link in client_request.get("decisions.results", decision_id=decision.id).links()
    assert link in client_request.get("proposals.detail", proposal_id=proposals[0].id).links()
    page = client_request.get("followup.detail", implementation_record_id=record.id)
    assert ("Projet 0", client_request.url("proposals.detail", proposal_id=proposals[0].id)) in page.links()
    assert (decision.title, client_request.url("decisions.results", decision_id=decision.id)) in page.links()


def test_a_followed_record_is_in_my_data_and_the_follow_ends_with_one_click(app, client, client_request, login_as,
                                                                             outbox):
    record = make_record(title="Le lavoir")
    resident = login_as(email="suit@example.org")
    client_request.post("following.follow", target_type="implementation", target_id=record.id)
    page = client_request.get("accounts.my_data")
    assert (f"Suivi de projet n° {record.id}", client_request.url("followup.detail", implementation_record_id=record.id)
            ) in page.links()
    exported = client.get("/account/data.json").get_json()
    assert {"target": "implementation", "target_id": record.id} in [
        {k: f[k] for k in ("target", "target_id")} for f in exported["follows"]]
    services.add_milestone(make_user(role=Role.ELECTED), record, date(2027, 5, 2), "Toiture refaite")
    db.session.commit()
    deliver_pending()
    [mail] = outbox
    unsubscribe = next(word for word in mail["body"].split() if "/unsubscribe/" in word)
    assert client.post_form(urlsplit(unsubscribe).path).status_code == 200
    assert not is_following(resident, TargetType.IMPLEMENTATION, record.id)


def test_the_pages_read_in_english(client, ctx):
    record = make_record(title="Le lavoir", status=ABANDONED, progress=10, voted_cost=40000, actual_cost=1200,
                         reason="Terrain refusé.")
    client.set_cookie("civic_lang", "en", domain="civic.test")
    page = Page(client.get(f"/realisations/{record.id}"))
    assert page.text(".progress-line") == "Progress: 10% 10%"
    assert "Why it was abandoned: Terrain refusé." in page.text("main")
    assert page.texts("#history + p + ol li")[0].endswith(": follow-up opened, status “Abandoned”")
    figures = Page(client.get("/realisations/")).texts(".totals dd")
    assert figures == ["0 projects", "0 projects", "0 projects", "1 project", "1,200 €", "40,000 €"]


def test_a_project_whose_proposal_moderation_hides_keeps_its_record_without_its_title(app, client_request, login_as):
    proposal = make_proposal(title="Un titre devenu injurieux")
    record = make_record(title=proposal.title, proposal_id=proposal.id, actual_cost=1_200)
    moderator = make_user(role=Role.MODERATOR)
    with app.test_request_context():
        moderation.decide(moderator, proposal, ModerationKind.HIDE, reason="Propos injurieux.")
    db.session.commit()
    page = client_request.get("followup.detail", implementation_record_id=record.id)
    assert page.h1 == "Projet retiré par la modération" and "injurieux" not in page.text("main")
    assert page.text("main p:-soup-contains('retirée')") == (
        "La proposition dont il vient a été retirée des pages par la modération, et son titre avec elle ; ce qui a été "
        "décidé et dépensé reste public.")
    page = client_request.get("followup.index")
    assert page.texts(".card-title a") == ["Projet retiré par la modération"]
    dataset = datasets.get("implementation_records")
    assert [(r["title"], r["actual_cost"], r["proposal_id"]) for r in datasets.rows(dataset)] == [(None, 1_200, None)]
    assert Proposal.state in dataset.withdrawn_by and Proposal.held_by_reports in dataset.withdrawn_by
    # The officials still read it as it was decided, told what the public reads.
    login_as(Role.ELECTED)
    page = client_request.get("followup.edit", implementation_record_id=record.id)
    assert page.h1 == "Suivi de « Un titre devenu injurieux »"
    assert "le public lit « Projet retiré par la modération »" in page.text("main")


def test_the_links_of_a_page_read_as_columns_title_the_records_as_the_records_do(app, ctx):
    """A proposal's and a decision's pages read their records' links as columns (services.RecordLink), whether
    the proposal was withdrawn computed in SQL: the same title as the record object gives, whatever became of the
    proposal, and no title for none."""
    decision = make_decision(Method.APPROVAL, title="Budget")
    shown, hidden, merged = (make_proposal(title=title) for title in ("Un banc", "Un titre devenu injurieux",
                                                                       "Un doublon"))
    records = [make_record(title=p.title, proposal_id=p.id, decision_id=decision.id, status=DONE, progress=100)
               for p in (shown, hidden, merged)]
    records.append(make_record(title="Sans proposition", decision_id=decision.id))
    moderator = make_user(role=Role.MODERATOR)
    with app.test_request_context():
        moderation.decide(moderator, hidden, ModerationKind.HIDE, reason="Propos injurieux.")
        moderation.decide(moderator, merged, ModerationKind.MERGE, merge_number=shown.id)
    db.session.commit()
    db.session.expire_all()
    with app.test_request_context():
        expected = [(r.id, str(r.public_title), r.status, r.progress) for r in records]
        assert [title for _id, title, _status, _progress in expected] == [
            "Un banc", "Projet retiré par la modération", "Un doublon", "Sans proposition"]
        assert [(r.id, str(r.public_title), r.status, r.progress)
                for r in services.records_of_decision(decision)] == expected
        assert [(r.id, str(r.public_title)) for r in services.records_of_proposal(hidden)] == [
            (records[1].id, "Projet retiré par la modération")]
