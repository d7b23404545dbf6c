"""Official answers and their e-mails, following, one-click unsubscribing, the staff log."""
import re
from datetime import timedelta

from civic.accounts.models import Role
from civic.answers.models import Answer
from civic.db_types import utcnow
from civic.decisions.models import Method
from civic.extensions import db
from civic.following.models import Follow
from civic.decisions.services import notify_opened_votes
from civic.mail import OutgoingMail
from civic.staff_log import StaffLogEntry
from tests.client import Page
from tests.factories import login, make_proposal, make_support, make_user
from tests.decisions.helpers import close, make_decision

UNSUBSCRIBE_RE = re.compile(r"(/unsubscribe/[A-Za-z0-9_.\-]+)")


def _answer(client, proposal, status="accepted", text="Nous installerons les bancs en juin."):
    return client.post_form(f"/proposals/{proposal.id}/answer", {"status": status, "text": text})


def test_an_official_answer_is_shown_filtered_and_mailed(client, ctx, outbox):
    author = make_user(email="auteur@example.org")
    proposal = make_proposal(author=author, title="Des bancs place du marché")
    other = make_proposal(title="Un city-stade")
    supporter, quiet = make_user(email="soutien@example.org"), make_user(email="discret@example.org")
    quiet.notify_answers = False
    make_support(proposal, supporter), make_support(proposal, quiet), make_support(proposal, author)
    follower = make_user(email="abonne@example.org")
    db.session.add(Follow(user_id=follower.id, target_type="proposal", target_id=proposal.id))
    db.session.commit()
    official = make_user(role=Role.ELECTED)
    login(client, official)
    empty = _answer(client, proposal, text="")
    assert empty.status_code == 200 and Page(empty).title.startswith("Erreur : ") and Page(empty).field_error("text")
    assert _answer(client, proposal).status_code == 302
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert "Nous installerons les bancs en juin." in page.text("#answer") and "Acceptée" in page.text("#answer-title")
    listed = client.get("/proposals/?answer=accepted")
    assert Page(listed).texts(".cards .card-title a") == ["Des bancs place du marché"]
    assert "Un city-stade" not in listed.get_data(as_text=True)
    assert "Un city-stade" in Page(client.get("/proposals/?answer=none")).texts(".cards .card-title a")
    recipients = sorted(m["to"] for m in outbox)
    assert recipients == ["abonne@example.org", "auteur@example.org", "soutien@example.org"]
    supporter_mail = next(m for m in outbox if m["to"] == "soutien@example.org")
    assert UNSUBSCRIBE_RE.search(supporter_mail["body"])
    # A change of answer is logged with before and after.
    _answer(client, proposal, status="done", text="Les bancs sont installés.")
    entries = db.session.execute(db.select(StaffLogEntry).order_by(StaffLogEntry.id)).scalars().all()
    assert [e.area for e in entries] == ["answer", "answer"]
    assert entries[1].before_data == {"status": "accepted", "text": "Nous installerons les bancs en juin."}
    assert entries[1].after_data["status"] == "done"
    assert db.session.execute(db.select(db.func.count(Answer.id))).scalar_one() == 1
    assert other.id


def test_answer_mails_are_in_each_recipients_language(client, ctx, outbox):
    author = make_user(email="author@example.org")
    author.language = "en"
    proposal = make_proposal(author=author, title="Des bancs place du marché")
    make_support(proposal, make_user(email="soutien@example.org"))
    db.session.commit()
    client.set_cookie("civic_lang", "en", domain="civic.test")  # the official works in English
    login(client, make_user(role=Role.ELECTED))
    assert _answer(client, proposal).status_code == 302
    mails = {m["to"]: m for m in outbox}
    assert mails["author@example.org"]["subject"] != mails["soutien@example.org"]["subject"]
    assert "The collectivité answered your proposal" in mails["author@example.org"]["body"]
    assert "Status: Accepted" in mails["author@example.org"]["body"]
    assert "La collectivité a répondu à une proposition que vous soutenez" in mails["soutien@example.org"]["body"]


def test_only_officials_answer(client, ctx):
    proposal = make_proposal()
    for role in (Role.RESIDENT, Role.MODERATOR, Role.COUNTER_AGENT):
        login(client, make_user(role=role))
        assert _answer(client, proposal).status_code == 403
        client.post_form("/logout")
    assert db.session.execute(db.select(Answer)).scalar() is None


def test_one_click_unsubscribe_without_logging_in(client, ctx, outbox):
    proposal = make_proposal()
    supporter = make_user()
    make_support(proposal, supporter)
    login(client, make_user(role=Role.ELECTED))
    _answer(client, proposal)
    client.post_form("/logout")
    link = UNSUBSCRIBE_RE.search(next(m for m in outbox if m["to"] == supporter.email)["body"]).group(1)
    response = client.get(link)
    assert response.status_code == 200 and Page(response).has('main form[method="post"] button[type="submit"]')
    db.session.refresh(supporter)
    assert supporter.notify_answers  # opening the link (a mail scanner) changes nothing
    # Mail clients POST without any form token (RFC 8058).
    assert client.post(link).status_code == 200
    db.session.refresh(supporter)
    assert not supporter.notify_answers
    assert client.get("/unsubscribe/forged.token").status_code == 404
    mail = db.session.execute(db.select(OutgoingMail).where(OutgoingMail.to == supporter.email)).scalar_one()
    assert mail.unsubscribe_url and mail.unsubscribe_url.endswith(link)


def test_following_a_decision_mails_when_it_opens_and_when_results_are_published(client, ctx, outbox, app):
    decision = make_decision(Method.YES_NO, state="scheduled")
    resident = make_user(email="suivi@example.org")
    login(client, resident)
    assert client.post_form(f"/follow/decision/{decision.id}").status_code == 302
    client.post_form(f"/follow/decision/{decision.id}")  # twice: still one follow
    assert db.session.execute(db.select(db.func.count(Follow.id))).scalar_one() == 1
    decision.opens_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with app.test_request_context():
        assert notify_opened_votes() == 1
        assert notify_opened_votes() == 0  # once per decision
        db.session.commit()
    queued = db.session.execute(db.select(OutgoingMail)).scalars().all()
    assert [m.to for m in queued] == ["suivi@example.org"] and "ouvert" in queued[0].subject
    close(decision)
    client.post_form("/logout")
    login(client, make_user(role=Role.ELECTED))
    assert client.post_form(f"/decisions/{decision.id}/publish").status_code == 302
    assert any("Résultats publiés" in m["subject"] for m in outbox)
    entry = db.session.execute(db.select(StaffLogEntry).where(StaffLogEntry.area == "publication")).scalar_one()
    assert entry.object_id == decision.id and entry.after_data["ballots_sha256"]


def test_follow_is_for_residents_and_unfollow_works(client, ctx):
    proposal = make_proposal()
    login(client, make_user(role=Role.MODERATOR))
    assert client.post_form(f"/follow/proposal/{proposal.id}").status_code == 403
    client.post_form("/logout")
    login(client, make_user())
    assert client.post_form(f"/follow/proposal/{proposal.id}").status_code == 302
    assert "Ne plus suivre" in Page(client.get(f"/proposals/{proposal.id}")).texts(".proposal form button")
    assert client.post_form(f"/unfollow/proposal/{proposal.id}").status_code == 302
    assert db.session.execute(db.select(Follow)).scalar() is None
    assert client.post_form("/follow/proposal/987654").status_code == 404


def test_role_changes_are_in_the_staff_log_for_admins_only(client, ctx):
    admin = make_user(role=Role.ADMIN)
    target = make_user()
    login(client, admin)
    assert client.post_form(f"/admin/users/{target.id}", {"role": "moderator"}).status_code == 302
    page = Page(client.get("/admin/staff-log?area=role"))
    [entry] = page.select("table tbody tr")
    when, what, changed = (cell.get_text() for cell in entry.select("td"))
    assert what == f"Rôle du compte n° {target.id} modifié — par {admin.display_name}."
    assert changed == "Rôle\u202f: Habitant → Modérateur"
    assert client.get("/admin/staff-log?since=nonsense").status_code == 200
    client.post_form("/logout")
    for role in (Role.MODERATOR, Role.ELECTED):
        login(client, make_user(role=role))
        assert client.get("/admin/staff-log").status_code == 403
        client.post_form("/logout")


def test_every_answer_email_can_be_turned_off_in_one_click(client, ctx, outbox):
    author = make_user()
    proposal = make_proposal(author=author)
    login(client, make_user(role=Role.ELECTED))
    _answer(client, proposal)
    [mail] = outbox
    assert mail["to"] == author.email and UNSUBSCRIBE_RE.search(mail["body"])
    client.post(UNSUBSCRIBE_RE.search(mail["body"]).group(1))
    _answer(client, proposal, status="done", text="C'est fait.")
    assert len(outbox) == 1  # the author turned them off


def test_an_answer_is_set_apart_with_its_role_and_date_and_a_change_shows_the_earlier_version(client, ctx, outbox):
    """The answer is a block of its own with a heading, who answered (the role, not the person) and when. A change
    of wording keeps the earlier version under it, shown as a correction is, without e-mailing anyone again; a
    change of status is e-mailed."""
    author = make_user(email="auteur@example.org")
    proposal = make_proposal(author=author)
    official = make_user(role=Role.ELECTED, name="Élue Martin")
    login(client, official)
    assert _answer(client, proposal, text="Nous installerons les bancs en juin.").status_code == 302
    assert [m["to"] for m in outbox] == ["auteur@example.org"]
    page = Page(client.get(f"/proposals/{proposal.id}"))
    block = page.select_one("section.answer-box")
    assert block["aria-labelledby"] == "answer-title" and block.select_one("h2").get_text() == (
        "Réponse officielle\u202f: Acceptée")
    meta = block.select_one("p.meta").get_text()
    assert meta.startswith("Réponse de Villeneuve-sur-Lys — Élu, le ") and "Martin" not in meta
    assert "modifiée" not in meta and block.select("ul.corrections li") == []
    assert _answer(client, proposal, text="Nous installerons les bancs en juillet.").status_code == 302
    assert len(outbox) == 1  # the wording changed, not the status: nobody is e-mailed again
    block = Page(client.get(f"/proposals/{proposal.id}")).select_one("section.answer-box")
    assert "· modifiée le " in block.select_one("p.meta").get_text()
    [earlier] = block.select("ul.corrections li")
    assert earlier.get_text().startswith("Du ") and ", Élu\u202f:" in earlier.get_text()
    assert [d.get_text() for d in earlier.select("del")] == ["supprimé\u202f: juin"]
    assert [i.get_text() for i in earlier.select("ins")] == ["ajouté\u202f: juillet"]
    assert _answer(client, proposal, status="done", text="Les bancs sont installés.").status_code == 302
    assert [m["to"] for m in outbox] == ["auteur@example.org"] * 2
    block = Page(client.get(f"/proposals/{proposal.id}")).select_one("section.answer-box")
    latest, older = block.select("ul.corrections li")
    assert "Statut\u202f: Acceptée → Réalisée" in latest.get_text()
    assert "juillet" in latest.get_text() and "juin" in older.get_text()


def test_an_answer_edit_says_what_it_does_and_when(client_request, login_as, outbox):
    """Changing an answer is a form to save changes; saving it unchanged says so and keeps nothing; earlier
    versions are dated to the minute (two edits the same day are told apart); a change of status is mailed as
    one (from, to), not as a first answer."""
    author = make_user(email="auteur@example.org")
    proposal = make_proposal(author=author)
    login_as(Role.ELECTED)
    page = client_request.get("answers.answer", proposal_id=proposal.id)
    assert page.select_one("main form button").get_text(strip=True) == "Publier la réponse"
    data = {"status": "accepted", "text": "Nous installerons les bancs en juin."}
    client_request.post("answers.answer", proposal_id=proposal.id, _data=data)
    page = client_request.get("answers.answer", proposal_id=proposal.id)
    assert page.select_one("main form button").get_text(strip=True) == "Enregistrer les modifications"
    page = client_request.post("answers.answer", proposal_id=proposal.id, _data=data, _follow=True)
    assert page.notices == ["La réponse disait déjà cela : rien n’est modifié."]
    assert db.session.execute(db.select(db.func.count(StaffLogEntry.id))).scalar_one() == 1
    assert page.select("#answer ul.corrections li") == [] and len(outbox) == 1
    client_request.post("answers.answer", proposal_id=proposal.id, _data={**data, "status": "done"})
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    [earlier] = page.select("#answer ul.corrections li")
    assert re.match(r"Du \d+(er)? \w+ \d{4}, \d\d:\d\d au \d+(er)? \w+ \d{4}, \d\d:\d\d, Élu", earlier.get_text())
    assert re.search(r"modifiée le \d+(er)? \w+ \d{4}, \d\d:\d\d", page.text("#answer p.meta"))
    changed = outbox[-1]
    assert changed["subject"].startswith("Le statut de la réponse à la proposition a changé")
    assert "a changé le statut de sa réponse à votre proposition" in changed["body"]
    assert "Statut\u202f: Acceptée → Réalisée" in changed["body"]
