"""A process is a draft until an official publishes it: staff prepare it, nobody else finds it anywhere."""
from datetime import timedelta

import pytest

from civic import access
from civic.access import Action, Role
from civic.extensions import db
from civic.opendata import datasets
from civic.processes.models import PhaseKind, Process
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.opendata.helpers import local_path
from tests.opendata.test_robots_and_sitemap import _locations
from tests.processes.helpers import make_process
from tests.processes.test_editing import _form as edit_form
from tests.processes.test_processes import _form

PROCESS_DATASETS = ("processes", "process_phases", "process_themes", "process_districts")


def _listed(client_request, **query):
    return client_request.get("processes.index", _query=query).texts(".card-title a")


def test_a_draft_is_seen_by_staff_only_until_it_is_published(client, client_request, login_as):
    official = login_as(Role.ELECTED)
    page = client_request.post("processes.new", _data=_form(), _follow=True)
    process = db.session.execute(db.select(Process)).scalar_one()
    assert process.is_draft
    assert page.notices == ["Le processus est enregistré comme brouillon : seule l’équipe le voit tant que vous ne "
                            "l’avez pas publié."]
    assert page.text("#draft").startswith("Ce processus est un brouillon")
    assert _listed(client_request) == [] and _listed(client_request, when="drafts") == ["Budget participatif 2027"]
    client.post_form("/logout")

    # Residents and visitors: nowhere, and its pages answer 404.
    for role in (None, Role.RESIDENT):
        if role:
            login_as(role)
        # (Proposing asks a visitor to log in first, whatever the process.)
        for endpoint in ("processes.detail", "processes.follow_up") + (("processes.propose",) if role else ()):
            page = client_request.get(endpoint, process_id=process.id, _expected_status=404)
            assert page.h1 == "Page introuvable"
        assert _listed(client_request) == [] and _listed(client_request, when="drafts") == []
        assert client_request.get("main.home").select("#processes-title ~ ul .card-title a") == []
    kind, urls = _locations(client, "/sitemap.xml")
    if kind == "sitemapindex":
        urls = [url for file in urls for url in _locations(client, local_path(file))[1]]
    pages = {local_path(url) for url in urls}
    assert "/processus" in pages and f"/processus/{process.id}" not in pages
    for name in PROCESS_DATASETS:
        assert list(datasets.rows(datasets.get(name))) == [], name
    assert client.get(f"/api/v1/processes/{process.id}").status_code == 404
    client.post_form("/logout")

    # A moderator sees it; an official publishes it, after a confirmation, once.
    login_as(Role.MODERATOR)
    assert client_request.get("processes.detail", process_id=process.id).h1 == "Budget participatif 2027"
    client.post_form("/logout")
    login_as(Role.ELECTED, name="Hélène Garnier")
    page = client_request.get("processes.publish", process_id=process.id)
    assert page.h1 == "Publier le processus : Budget participatif 2027"
    page = client_request.post("processes.publish", process_id=process.id, _follow=True)
    assert page.notices == ["Le processus est publié : les habitants le voient et y participent selon ses phases."]
    assert page.select_one("#draft") is None
    entry = db.session.execute(db.select(StaffLogEntry).where(StaffLogEntry.action == "publish")).scalar_one()
    assert (entry.object_type, entry.object_id, entry.after_data) == (TargetType.PROCESS, process.id,
                                                                      {"published": True})
    page = client_request.post("processes.publish", process_id=process.id, _follow=True)
    assert page.notices == ["Ce processus est déjà publié."]
    client.post_form("/logout")
    assert _listed(client_request) == ["Budget participatif 2027"]
    assert client_request.get("processes.detail", process_id=process.id).h1 == "Budget participatif 2027"
    assert [row["id"] for row in datasets.rows(datasets.get("processes"))] == [process.id]
    assert official.id != entry.actor_id


def test_a_draft_gets_no_vote_built(client_request, login_as):
    process = make_process(PhaseKind.STUDY, published=False)
    login_as(Role.ELECTED)
    page = client_request.post("processes.build_vote", process_id=process.id, _data={"method": "budget"},
                               _follow=True)
    assert page.notices == ["Publiez le processus avant de construire son vote : les habitants doivent pouvoir le "
                            "lire."]


def test_a_draft_changes_freely_whatever_its_days(client_request, login_as):
    process = make_process(PhaseKind.STUDY, published=False)
    login_as(Role.ELECTED)
    later = process.phases[0].starts_on + timedelta(days=1)
    client_request.post("processes.edit", process_id=process.id,
                        _data=edit_form(process, **{"phases-0-starts_on": later.strftime("%d/%m/%Y")}))
    assert process.phases[0].starts_on == later


@pytest.mark.parametrize("role, manages", [(Role.ELECTED, True), (Role.RESIDENT, False)])
def test_the_list_of_processes_asks_once_who_manages_them(client_request, login_as, monkeypatch, role, manages):
    """The drafts' tab and the button to create a process follow one answer of the rule, asked once a page (the view
    and the template asked it each)."""
    login_as(role)
    asked = []
    refusal = access.refusal

    def counted(user, action, obj=None):
        if action is Action.PROCESS_MANAGE:
            asked.append(action)
        return refusal(user, action, obj)

    monkeypatch.setattr(access, "refusal", counted)
    page = client_request.get("processes.index")
    assert asked == [Action.PROCESS_MANAGE]
    assert (page.select_one('main a[href="/processus/new"]') is not None) is manages
    assert ("Brouillons (équipe seulement)" in page.text("nav .actions")) is manages
