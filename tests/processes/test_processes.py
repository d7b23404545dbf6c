"""Processes: an official sets one up (phases validated, illustration sanitised), the lists, the step list."""
from datetime import timedelta

from sqlalchemy import event

from civic.access import Role
from civic.extensions import db
from civic.processes import services
from civic.processes.models import Phase, PhaseKind, Process
from civic.processes.phases import today
from tests.factories import make_theme
from tests.processes.helpers import end, make_process, propose_in
from tests.queries import recording


def _day(offset):
    return (today() + timedelta(days=offset)).strftime("%d/%m/%Y")


def _form(**changes):
    data = {"title": "Budget participatif 2027", "summary": "Vos idées pour la ville.",
            "description": "Un budget de 100 000 € pour vos projets.", "budget": "100 000",
            "phases-0-kind": "ideas", "phases-0-starts_on": _day(-2), "phases-0-ends_on": _day(20),
            "phases-1-kind": "study", "phases-1-starts_on": _day(21), "phases-1-ends_on": _day(40),
            "phases-2-kind": "vote", "phases-2-starts_on": _day(41), "phases-2-ends_on": _day(55)}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_an_official_creates_a_process_and_everyone_sees_its_steps(client_request, login_as):
    theme = make_theme("Nature")
    login_as(Role.ELECTED)
    page = client_request.get("processes.new")
    assert page.h1 == "Créer un processus participatif"
    assert len(page.select("fieldset legend")) >= 5
    client_request.post("processes.new", _data=_form(themes=str(theme.id)))
    process = db.session.execute(db.select(Process)).scalar_one()
    assert process.budget == 100_000 and [t.name for t in process.themes] == ["Nature"]
    assert [p.kind for p in process.phases] == [PhaseKind.IDEAS, PhaseKind.STUDY, PhaseKind.VOTE]
    page = client_request.get("processes.detail", process_id=process.id)
    assert page.h1 == "Budget participatif 2027"
    assert page.text("#steps-title") == "Étape 1 sur 3 : idées"
    steps = page.select("nav.steps ol li")
    assert [li.get("aria-current") for li in steps] == ["step", None, None]
    assert "Idées" in page.text("nav.steps li[aria-current=step]")


def test_phases_that_overlap_or_come_out_of_order_are_refused_keeping_what_was_typed(client_request, login_as):
    login_as(Role.ELECTED)
    page = client_request.post("processes.new", _data=_form(**{"phases-1-starts_on": _day(10)}), _expected_status=200)
    assert page.title.startswith("Erreur : ")
    assert page.errors == ["L’étape 2 commence avant la fin de l’étape 1 : les phases ne se chevauchent pas."]
    assert page.value("title") == "Budget participatif 2027" and page.value("phases-1-starts_on") == _day(10)
    page = client_request.post("processes.new", _data=_form(**{"phases-0-kind": "vote", "phases-2-kind": "ideas"}),
                               _expected_status=200)
    assert page.errors == ["Étape 2 : les phases se suivent dans cet ordre : questionnaire, idées, étude technique, "
                           "vote, résultats, suivi des projets."]
    page = client_request.post("processes.new", _data=_form(**{"phases-1-ends_on": _day(-5)}), _expected_status=200)
    assert page.errors == ["L’étape 2 se termine avant de commencer : vérifiez ses dates."]
    page = client_request.post("processes.new", _expected_status=200,
                               _data=_form(**{"phases-1-kind": "", "phases-1-starts_on": "31/02/2027"}))
    assert page.field_error("phases-1-kind") == "Étape 2 : choisissez le type de phase."
    assert page.field_error("phases-1-starts_on") == "Étape 2 : cette date n’existe pas : vérifiez le jour et le mois."
    page = client_request.post("processes.new", _data=_form(**{"phases-2-ends_on": "31/12/9999"}),
                               _expected_status=200)
    assert page.errors == ["Étape 3 : donnez des jours entre les années 2000 et 2100."]
    page = client_request.post("processes.new", _data=_form(**{f"phases-{n}-{f}": "" for n in range(3)
                                                               for f in ("kind", "starts_on", "ends_on")}),
                               _expected_status=200)
    assert page.errors == ["Donnez au processus au moins une phase, avec son type et ses dates."]
    assert db.session.execute(db.select(Process)).first() is None


def test_the_illustration_is_sanitised_and_served_as_a_drawing(client, client_request, login_as):
    login_as(Role.ELECTED)
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><script>alert(1)</script>'
           b'<circle cx="5" cy="5" r="4" onclick="alert(2)"/></svg>')
    data = _form()
    data["illustration"] = (__import__("io").BytesIO(svg), "dessin.svg")
    response = client.post_form("/processus/new", data, content_type="multipart/form-data")
    assert response.status_code == 302
    process = db.session.execute(db.select(Process)).scalar_one()
    assert "script" not in process.illustration and "onclick" not in process.illustration
    page = client_request.get("processes.detail", process_id=process.id)
    drawing = client.get(page.select_one("main img")["src"])
    assert drawing.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert b"<circle" in drawing.data
    data = _form()
    data["illustration"] = (__import__("io").BytesIO(b"not a drawing"), "dessin.svg")
    response = client.post_form(f"/processus/{process.id}/edit", data, content_type="multipart/form-data")
    assert response.status_code == 200 and "n’est pas un dessin SVG" in response.get_data(as_text=True)


def test_the_list_sorts_current_upcoming_and_past_processes(client_request, ctx):
    current = make_process(PhaseKind.STUDY, title="En cours")
    upcoming = make_process(None, title="À venir")
    past = make_process(title="Terminé")
    end(past)
    assert [a.text for a in client_request.get("processes.index").select(".card-title a")] == ["En cours"]
    page = client_request.get("processes.index", _query={"when": "upcoming"})
    assert [a.text for a in page.select(".card-title a")] == ["À venir"]
    page = client_request.get("processes.index", _query={"when": "past"})
    assert [a.text for a in page.select(".card-title a")] == ["Terminé"]
    assert page.select_one("nav [aria-current=page]").text == "Processus passés"
    assert current.id != upcoming.id


def test_a_list_of_processes_reads_its_page_then_the_processes_with_their_phases(app, client_request, ctx):
    """Each list (current, upcoming, past) runs two statements, built once with today bound: the page's ids, then
    its processes' cards with their phases (nothing read later by the cards); the cards still say each one's phase."""
    make_process(PhaseKind.STUDY, title="En cours")
    make_process(None, title="À venir")
    end(make_process(title="Terminé"))
    executed = []

    def record(state):
        executed.append(state.statement)

    event.listen(db.session, "do_orm_execute", record)
    try:
        for _round in range(2):
            for when, title in ((None, "En cours"), ("upcoming", "À venir"), ("past", "Terminé")):
                with recording(app) as statements:
                    page = client_request.get("processes.index", _query={"when": when} if when else {})
                assert page.texts(".card-title a") == [title]
                assert len([s for s in statements if " FROM process" in s]) == 2, statements
        assert page.texts(".card .tag") == []  # a past process: its dates, no phase under way
        assert len({id(statement) for statement in executed if "process" in str(statement)}) <= 6
    finally:
        event.remove(db.session, "do_orm_execute", record)
    assert client_request.get("processes.index").texts(".card .tag") == ["Étude technique"]
    # The cards (the list's, the home page's) read what they show as columns, no process or phase object.
    db.session.expunge_all()
    cards = [*services.processes_page(services.CURRENT).items, *services.current_processes()]
    assert [(card.title, card.current_phase.kind, len(card.phases)) for card in cards] == [
        ("En cours", PhaseKind.STUDY, 5)] * 2
    assert not [obj for obj in db.session.identity_map.values() if isinstance(obj, (Process, Phase))]


def test_the_process_lists_its_proposals_page_by_page_and_the_home_page_shows_it(client_request, ctx):
    process = make_process(PhaseKind.IDEAS)
    for n in range(12):
        propose_in(process, title=f"Idée {n:02}")
    page = client_request.get("processes.detail", process_id=process.id)
    assert len(page.select("#proposals-title + ul .card")) == 10
    assert page.select_one("a[rel=next]") is not None
    home = client_request.get("main.home")
    assert [a.text for a in home.select("#processes-title ~ ul .card-title a")] == ["Budget participatif 2027"]


def test_each_field_of_a_phase_row_is_read_with_its_label_the_hint_and_its_error(client_request, login_as):
    login_as(Role.ELECTED)
    page = client_request.get("processes.new")
    for n in range(5):
        for name in ("kind", "starts_on", "ends_on"):
            field = page.select_one(f"#phases-{n}-{name}")
            assert page.select_one(f"label[for=phases-{n}-{name}]") is not None
            assert "phases-hint" in field["aria-describedby"].split()
    assert page.text("#phases-0-starts_on-hint") == "Par exemple 01/03/2027."
    assert page.select_one("#phases-0-starts_on")["aria-describedby"].split() == ["phases-hint",
                                                                                 "phases-0-starts_on-hint"]
    # An error of a row is on its field, tied to it, and says which row in the summary.
    page = client_request.post("processes.new", _data=_form(**{"phases-1-ends_on": _day(-5)}), _expected_status=200)
    field = page.select_one("#phases-1-ends_on")
    assert field["aria-invalid"] == "true" and "phases-1-ends_on-error" in field["aria-describedby"].split()
    assert page.field_error("phases-1-ends_on") == "L’étape 2 se termine avant de commencer : vérifiez ses dates."
    assert page.select_one(".error-summary a")["href"] == "#phases-1-ends_on"
    page = client_request.post("processes.new", _data=_form(**{"phases-2-kind": ""}), _expected_status=200)
    assert page.errors == ["Étape 3 : choisissez le type de phase."]
    # An error of the phases as a whole is read with every row's fields.
    page = client_request.post("processes.new", _expected_status=200, _data=_form(**{
        f"phases-{n}-{f}": "" for n in range(3) for f in ("kind", "starts_on", "ends_on")}))
    assert page.field_error("phases") == "Donnez au processus au moins une phase, avec son type et ses dates."
    assert page.select_one("#phases-4-kind")["aria-describedby"].split() == ["phases-hint", "phases-error"]
