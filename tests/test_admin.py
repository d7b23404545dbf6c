"""Administration: granting roles, managing themes, the accounts list and the staff log."""
from datetime import UTC, datetime, timedelta

from civic import staff_log
from civic.accounts.models import Role, User
from civic.admin.services import USERS_PAGE
from civic.db_types import utcnow
from civic.extensions import db
from civic.log_queries import LOG_PAGE
from civic.moderation import services
from civic.moderation.models import ModerationKind
from civic.proposals.registrations import DECISIONS as PROPOSAL_DECISIONS
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from civic.themes.models import Theme
from tests import growth
from tests.browser.crawling import PAGE_BUDGET
from tests.client import Page
from tests.factories import login, make_comment, make_proposal, make_theme, make_user


def test_only_admins_reach_administration(client, ctx):
    for role in (Role.RESIDENT, Role.COUNTER_AGENT, Role.MODERATOR, Role.ELECTED):
        login(client, make_user(role=role))
        for url in ("/admin/", "/admin/users", "/admin/themes"):
            assert client.get(url).status_code == 403
        client.post_form("/logout")
    assert client.get("/admin/").status_code == 302


def test_who_may_not_manage_learns_nothing_of_what_exists(client, ctx):
    """The role is checked before anything is loaded: an account's number that exists and one that does not
    answer alike."""
    existing = make_user()
    theme = make_theme()
    login(client, make_user(role=Role.MODERATOR))
    for url in (f"/admin/users/{existing.id}", "/admin/users/987654", f"/admin/themes/{theme.id}",
                "/admin/themes/987654", "/admin/counters/987654"):
        assert client.get(url).status_code == 403, url


def test_admin_grants_a_role(client, login_as):
    login_as(Role.ADMIN)
    resident = make_user(name="Léa Nguyen")
    page = Page(client.get("/admin/users?q=NGUYEN"))
    assert page.texts("table tbody tr td:first-child") == ["Léa Nguyen"]
    assert client.post_form(f"/admin/users/{resident.id}", {"role": "moderator"}).status_code == 302
    db.session.refresh(resident)
    assert resident.role is Role.MODERATOR


def test_role_form_refuses_unknown_roles_and_self_demotion(client, login_as):
    admin = login_as(Role.ADMIN)
    resident = make_user()
    page = Page(client.post_form(f"/admin/users/{resident.id}", {"role": "superuser"}))
    assert page.title.startswith("Erreur : ") and page.field_error("role")
    db.session.refresh(resident)
    assert resident.role is Role.RESIDENT
    page = Page(client.post_form(f"/admin/users/{admin.id}", {"role": "resident"}))
    assert page.title.startswith("Erreur : ") and page.errors
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN
    assert client.get("/admin/users/999999").status_code == 404


def test_admin_manages_themes(client, login_as):
    login_as(Role.ADMIN)
    assert client.post_form("/admin/themes", {"name": "Voirie", "name_en": "Roads", "active": "y"}).status_code == 302
    theme = db.session.execute(db.select(Theme)).scalar_one()
    assert theme.name == "Voirie" and theme.name_en == "Roads" and theme.active
    page = Page(client.post_form("/admin/themes", {"name": "voirie"}))
    assert page.title.startswith("Erreur : ") and page.has('.error-summary a[href="#name"]')
    assert page.field_error("name")
    page = Page(client.post_form("/admin/themes", {"name": ""}))
    assert page.title.startswith("Erreur : ") and page.field_error("name")
    assert client.post_form(f"/admin/themes/{theme.id}", {"name": "Voirie et trottoirs", "name_en": ""}).status_code == 302
    db.session.refresh(theme)
    assert theme.name == "Voirie et trottoirs" and theme.active is False and theme.name_en is None


def test_inactive_theme_is_not_offered(client, login_as):
    login_as()
    make_theme("Ouvert")
    make_theme("Fermé", active=False)
    response = client.get("/proposals/new")
    assert "Ouvert" in Page(response).texts("#theme option") and "Fermé" not in response.get_data(as_text=True)


def test_english_theme_name_is_shown_in_english(client, login_as):
    login_as()
    make_theme("Propreté", name_en="Cleanliness")
    client.set_cookie("civic_lang", "en", domain="civic.test")
    assert "Cleanliness" in Page(client.get("/proposals/new")).texts("#theme option")


def test_admin_adds_districts_and_residents_choose_theirs(client, ctx):
    from civic.accounts.models import District

    login(client, make_user(role=Role.ADMIN))
    assert client.post_form("/admin/districts", {"name": "Les Tilleuls"}).status_code == 302
    page = Page(client.post_form("/admin/districts", {"name": "les tilleuls"}))
    assert page.has('.error-summary a[href="#name"]') and page.field_error("name")
    district = db.session.execute(db.select(District)).scalar_one()
    client.post_form("/logout")
    resident = make_user()
    login(client, resident)
    assert "Les Tilleuls" in Page(client.get("/account")).texts("#district option")
    assert client.post_form("/account", {"display_name": "R", "district": str(district.id)}).status_code == 302
    db.session.refresh(resident)
    assert resident.district_id == district.id
    page = Page(client.post_form("/account", {"display_name": "R", "district": "999"}))
    assert page.has('.error-summary a[href="#district"]') and page.field_error("district")


def test_the_accounts_list_costs_the_same_with_ten_times_the_accounts_and_pages_by_name(app, client_request,
                                                                                        login_as):
    admin = login_as(Role.ADMIN, name="Zoé Admin")
    made = []
    page = growth.assert_flat(app, lambda: client_request.get("admin.users"),
                              lambda n: made.extend(growth.users(n, name="Tilde~nom")), n=USERS_PAGE // 2)
    assert len(page.select("tbody tr")) == USERS_PAGE
    pages = growth.follow_pages(client_request, "admin.users")
    names = [row.select_one("td").get_text() for p in pages for row in p.select("tbody tr")]
    expected = sorted([(u.display_name, u.id) for u in made] + [(admin.display_name, admin.id)])
    assert names == [name for name, _id in expected] and len(pages) == 5
    back = growth.previous_page(client_request, "admin.users", pages[3])
    assert back.texts("tbody tr td:first-child") == names[2 * USERS_PAGE:3 * USERS_PAGE]
    searched = growth.follow_pages(client_request, "admin.users", q="zoé")
    assert [p.texts("tbody tr td:first-child") for p in searched] == [["Zoé Admin"]]


def test_the_staff_log_costs_the_same_with_ten_times_the_entries(app, client_request, login_as):
    login_as(Role.ADMIN)
    staff = growth.users(4, role=Role.MODERATOR, name="Modératrice")

    def grow(n):
        db.session.add_all([StaffLogEntry(actor_id=staff[i % len(staff)].id, area="moderation", action="hide",
                                          object_type=TargetType.PROPOSAL, object_id=i, created_at=utcnow())
                            for i in range(n)])
        db.session.commit()

    page = growth.assert_flat(app, lambda: client_request.get("admin.staff_log"), grow, n=LOG_PAGE // 4)
    assert len(page.select("tbody tr")) == LOG_PAGE
    pages = growth.follow_pages(client_request, "admin.staff_log", area="moderation", actor=staff[0].id)
    rows = [row for p in pages for row in p.select("tbody tr")]
    assert len(rows) == 120 // 4 and {row.select("td")[1].get_text().split(" — par ")[1][:-1] for row in rows} == {
        staff[0].display_name}


def test_the_staff_log_fits_the_page_budget_with_the_longest_answers_and_each_entry_has_its_page(client, login_as):
    admin = login_as(Role.ADMIN)
    proposal = make_proposal()
    texts = [growth.words(900, seed)[:5000] for seed in range(LOG_PAGE + 1)]
    for before, after in zip(texts, texts[1:]):
        staff_log.record(admin, "answer", "answer", TargetType.PROPOSAL, proposal.id, {"text": before}, {"text": after})
    db.session.commit()
    page = Page(client.get("/admin/staff-log"))
    assert growth.weight(page) <= PAGE_BUDGET, growth.weight(page)
    entry = Page(client.get(page.select_one("tbody tr td a")["href"]))
    [row] = entry.select("main tbody tr")
    assert row.th.get_text() == "Réponse" and [td.get_text() for td in row.select("td")] == texts[-2:]
    assert client.get("/admin/staff-log/987654").status_code == 404
    client.post_form("/logout")
    login(client, make_user(role=Role.MODERATOR))
    assert client.get(page.select_one("tbody tr td a")["href"]).status_code == 403


def test_the_staff_log_reads_as_sentences_with_local_times_and_labelled_values(client, ctx):
    """No area, action, JSON or UTC time: each entry is a sentence, what changed is labelled, in Paris time."""
    admin = make_user(role=Role.ADMIN, name="Alix Admin")
    moderator = make_user(role=Role.MODERATOR, name="Modératrice Anne")
    comment = make_comment(make_proposal())
    services.decide(moderator, comment, ModerationKind.HIDE, reason="Propos injurieux")
    july = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    staff_log.record(admin, "publication", "announce", TargetType.DECISION, 7, {"state": "draft"},
                     {"state": "scheduled", "opens_at": july, "closes_at": july + timedelta(days=14)})
    staff_log.record(None, "role", "grant", TargetType.USER, admin.id, {"role": "resident"}, {"role": "admin"})
    db.session.execute(db.update(StaffLogEntry).values(created_at=july))
    db.session.commit()
    login(client, admin)
    page = Page(client.get("/admin/staff-log"))
    rows = {row.select("td")[1].get_text(): (row.select("td")[0].get_text(), row.select("td")[2].get_text())
            for row in page.select("tbody tr")}
    assert rows == {
        f"Commentaire n° {comment.id} masqué — par Modératrice Anne.": (
            "1er juillet 2026, 10:00\u202f: l’entrée en entier",
            "Masqué\u202f: non → ouiRaison publique\u202f: — → Propos injurieux"),
        "Vote n° 7 annoncé — par Alix Admin.": (
            "1er juillet 2026, 10:00\u202f: l’entrée en entier",
            "Clôture\u202f: — → 15 juillet 2026, 10:00Ouverture\u202f: — → 1er juillet 2026, 10:00"
            "État\u202f: Brouillon → À venir"),
        f"Rôle du compte n° {admin.id} modifié — par l’exploitant du serveur.": (
            "1er juillet 2026, 10:00\u202f: l’entrée en entier", "Rôle\u202f: Habitant → Administrateur"),
    }
    [hidden] = [row for row in page.select("tbody tr") if "masqué" in row.get_text()]
    entry = Page(client.get(hidden.select_one("td a")["href"]))
    assert [[cell.get_text() for cell in row.select("th, td")] for row in entry.select("main tbody tr")] == [
        ["Masqué après des signalements", "non", "non"], ["Masqué", "non", "oui"],
        ["Raison publique", "—", "Propos injurieux"]]


def test_every_decision_a_moderator_can_take_reads_as_a_sentence(app):
    described = staff_log.registered_sentences()
    for target_type, states in ((TargetType.PROPOSAL, PROPOSAL_DECISIONS.values()), (TargetType.COMMENT, None)):
        kinds = set().union(*states) if states else {ModerationKind.HIDE, ModerationKind.RESTORE}
        for kind in kinds | {ModerationKind.KEEP}:
            assert ("moderation", kind.value, target_type) in described, (target_type, kind)


def test_the_accounts_list_says_who_has_no_e_mail_and_which_records_were_merged(client_request, login_as):
    login_as(Role.ADMIN)
    kept = make_user(name="Bernard Online")
    at_counter = User(display_name="Bernard Guichet", full_name="Bernard Guichet", role=Role.RESIDENT)
    merged = User(display_name="Bernard Fusionné", full_name="Bernard Fusionné", role=Role.RESIDENT,
                  merged_into_id=kept.id, active=False)
    db.session.add_all([at_counter, merged])
    db.session.commit()

    def rows(**args):
        page = client_request.get("admin.users", q="bernard", **args)
        return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in page.select("tbody tr")]

    assert rows() == [
        ["Bernard Fusionné", "fiche faite au guichet, sans e-mail",
         f"Rattachée au compte de Bernard Online (n° {kept.id})", "—"],
        ["Bernard Guichet", "fiche faite au guichet, sans e-mail", "Habitant", "Changer le rôle de Bernard Guichet"],
        ["Bernard Online", kept.email, "Habitant", "Changer le rôle de Bernard Online"]]
    assert [row[0] for row in rows(show="in_use")] == ["Bernard Guichet", "Bernard Online"]
    assert [row[0] for row in rows(show="merged")] == ["Bernard Fusionné"]
    assert [row[0] for row in rows(show="nonsense")] == ["Bernard Fusionné", "Bernard Guichet", "Bernard Online"]
    role_page = client_request.get("admin.user_role", user_id=at_counter.id)
    assert role_page.select_one("main p").get_text().startswith("fiche faite au guichet, sans e-mail")


def test_the_staff_log_says_what_an_entry_did_and_names_who_last(client_request, login_as):
    """The sentence is chosen from the entry's before and after (a first answer, a change of status or of
    wording; a counter created, changed, or its agents), never hedged; the staff member's name comes last, so a
    name holding a comma does not run into the verb."""
    official = make_user(role=Role.ELECTED, name="Hélène Garnier, adjointe au maire")
    answer = {"status": "accepted", "text": "En juin."}
    counter = {"counter": "Mairie", "active": True, "agents": []}
    for area, action, object_type, before, after in (
            ("answer", "answer", TargetType.PROPOSAL, {}, answer),
            ("answer", "answer", TargetType.PROPOSAL, answer, {**answer, "status": "done"}),
            ("answer", "answer", TargetType.PROPOSAL, answer, {**answer, "text": "En juillet."}),
            ("answer", "answer", TargetType.PROPOSAL, answer, {"status": "done", "text": "Fait."}),
            ("role", "counter_agents", TargetType.COUNTER, {}, counter),
            ("role", "counter_agents", TargetType.COUNTER, counter, {**counter, "active": False}),
            ("role", "counter_agents", TargetType.COUNTER, counter, {**counter, "agents": ["Agent (n° 3)"]}),
            ("role", "counter_agents", TargetType.COUNTER, counter, {"counter": "Mairie annexe", "active": True,
                                                                      "agents": ["Agent (n° 3)"]})):
        staff_log.record(official, area, action, object_type, 2, before, after)
    db.session.commit()
    login_as(Role.ADMIN)
    page = client_request.get("admin.staff_log")
    by = " — par Hélène Garnier, adjointe au maire."
    assert [row.select("td")[1].get_text() for row in page.select("tbody tr")] == [sentence + by for sentence in (
        "Guichet n° 2 et ses agents modifiés", "Agents du guichet n° 2 modifiés", "Guichet n° 2 modifié",
        "Guichet n° 2 créé", "Statut et texte de la réponse à la proposition n° 2 modifiés",
        "Texte de la réponse à la proposition n° 2 modifié",
        "Statut de la réponse à la proposition n° 2 modifié",
        "Réponse à la proposition n° 2 publiée")]


def test_a_merged_record_links_its_account_has_no_role_and_is_found_by_its_civil_name(client_request, login_as):
    """The line of a merged counter record names and links the account it was merged into; its role page sends
    the admin there, saying why (it has no role of its own); a counter record shown under a first name is found
    by the surname of its civil name."""
    login_as(Role.ADMIN)
    kept = make_user(name="Joëlle P.")
    merged = User(display_name="Joëlle", full_name="Joëlle Perrin", role=Role.RESIDENT, merged_into_id=kept.id,
                  active=False)
    db.session.add(merged)
    db.session.commit()
    page = client_request.get("admin.users", q="Perrin")
    [row] = page.select("tbody tr")
    assert row.select_one("td").get_text() == "Joëlle"
    assert page.links("tbody") == [("Joëlle P.", client_request.url("admin.user_role", user_id=kept.id))]
    assert [row.select_one("td").get_text() for row in client_request.get("admin.users", q="perr").select(
        "tbody tr")] == ["Joëlle"]
    page = client_request.get("admin.user_role", user_id=merged.id, _expected_status=302, _follow=True)
    assert page.h1 == "Rôle de Joëlle P." and page.notices == [
        "Cette fiche du guichet a été rattachée à un autre compte : elle n’a pas de rôle à elle. "
        "Changez le rôle de ce compte."]
    page = client_request.post("admin.user_role", user_id=merged.id, _data={"role": "moderator"}, _follow=True)
    assert page.notices[0].startswith("Cette fiche du guichet a été rattachée")
    assert db.session.get(User, merged.id).role is Role.RESIDENT
    deputy = make_user(name="Hélène Garnier, adjointe au maire")
    page = client_request.post("admin.user_role", user_id=deputy.id, _data={"role": "elected"}, _follow=True)
    assert page.notices == ["Rôle enregistré : Élu, pour Hélène Garnier, adjointe au maire."]
