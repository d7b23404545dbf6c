"""Reports, the moderator's queue and decisions, the public journal, moderation settings."""
import pytest
from sqlalchemy import event

from civic.accounts.models import Role
from civic.extensions import db
from civic.moderation import services
from civic.moderation.models import ModerationAction, ModerationKind, ModerationMode, Report, ReportReason
from civic.db_types import utcnow
from civic.proposals.models import Comment, Proposal, ProposalState, Support
from civic.staff_log import StaffLogEntry
from civic.targets import TargetType
from tests.client import Page, text_of
from tests.queries import recording
from tests.factories import login, make_comment, make_proposal, make_support, make_theme, make_user

COMMENT_BODIES = ".comments .comment > div:not(.actions)"


def _report(client, target_type, target_id, reason="insult", text=""):
    return client.post_form(f"/report/{target_type}/{target_id}", {"reason": reason, "text": text})


def _residents_report(client, target_type, target_id, n):
    for _ in range(n):
        login(client, make_user())
        assert _report(client, target_type, target_id).status_code == 302
        client.post_form("/logout")


def _decide(client, target_type, target_id, action, **fields):
    return client.post_form(f"/moderation/{target_type}/{target_id}", {"decision": action, **fields})


def test_a_comment_reported_by_three_residents_is_hidden_until_a_moderator_decides(client, ctx):
    proposal = make_proposal()
    comment = make_comment(proposal, body="Propos insultant envers un voisin.")
    _residents_report(client, "comment", comment.id, 2)
    db.session.refresh(comment)
    assert not comment.held_by_reports
    assert Page(client.get(f"/proposals/{proposal.id}")).texts(COMMENT_BODIES) == ["Propos insultant envers un voisin."]
    _residents_report(client, "comment", comment.id, 1)
    db.session.refresh(comment)
    assert comment.held_by_reports
    page = client.get(f"/proposals/{proposal.id}").get_data(as_text=True)
    assert "Propos insultant" not in page
    # The automatic step is in the journal too.
    assert "signal" in Page(client.get("/moderation/journal")).text("table tbody").lower()


def test_the_same_resident_never_counts_twice(client, ctx):
    comment = make_comment(make_proposal())
    reporter = make_user()
    login(client, reporter)
    assert _report(client, "comment", comment.id).status_code == 302
    again = _report(client, "comment", comment.id, reason="spam")
    assert again.status_code == 200 and any("déjà" in error for error in Page(again).errors)
    assert db.session.execute(db.select(db.func.count(Report.id))).scalar_one() == 1
    with pytest.raises(Exception):  # and the database would refuse it
        db.session.add(Report(reporter_id=reporter.id, target_type="comment", target_id=comment.id,
                              reason=ReportReason.SPAM))
        db.session.commit()
    db.session.rollback()


def test_report_refusals(client, ctx):
    author = make_user()
    proposal = make_proposal(author=author)
    login(client, author)
    own = _report(client, "proposal", proposal.id)  # not one's own content: the form says why
    assert own.status_code == 200 and Page(own).errors == ["Vous ne pouvez pas signaler ce que vous avez écrit."]
    assert Page(client.get(f"/report/proposal/{proposal.id}")).errors == [
        "Vous ne pouvez pas signaler ce que vous avez écrit."]
    client.post_form("/logout")
    login(client, make_user())
    other = _report(client, "proposal", proposal.id, reason="other", text="")
    assert other.status_code == 200 and Page(other).select_one("#text")["aria-invalid"] == "true"
    assert Page(other).field_error("text")
    assert _report(client, "proposal", 987654).status_code == 404
    client.post_form("/logout")
    for role in (Role.MODERATOR, Role.ELECTED, Role.ADMIN, Role.COUNTER_AGENT):
        login(client, make_user(role=role))
        assert _report(client, "proposal", proposal.id).status_code == 403
        client.post_form("/logout")
    assert db.session.execute(db.select(db.func.count(Report.id))).scalar_one() == 0


def test_moderator_hides_a_reported_comment_with_a_public_reason(client, ctx, outbox):
    author = make_user(name="Auteur")
    proposal = make_proposal()
    comment = make_comment(proposal, author=author, body="Un commentaire blessant.")
    _residents_report(client, "comment", comment.id, 1)
    moderator = make_user(role=Role.MODERATOR, name="Modératrice Anne")
    login(client, moderator)
    [item] = Page(client.get("/moderation/")).select(".resident-card")
    assert "Un commentaire blessant." in item.get_text() and "Insulte" in item.select_one(".report-reasons").get_text()
    missing_reason = _decide(client, "comment", comment.id, "hide")
    assert missing_reason.status_code == 200 and "raison" in Page(missing_reason).field_error("reason").lower()
    assert _decide(client, "comment", comment.id, "hide", reason="Propos injurieux.").status_code == 302
    db.session.refresh(comment)
    assert comment.hidden_at is not None and comment.body == "Un commentaire blessant."  # nothing deleted
    client.post_form("/logout")
    response = client.get(f"/proposals/{proposal.id}")
    assert "Un commentaire blessant." not in response.get_data(as_text=True)
    assert "Propos injurieux." in Page(response).text(f"#comment-{comment.id} .meta")
    response = client.get("/moderation/journal")
    [entry_row] = Page(response).select("table tbody tr")
    assert "Propos injurieux." in entry_row.get_text() and f"n° {comment.id}" in entry_row.get_text()
    journal = response.get_data(as_text=True)
    assert "Anne" not in journal and "Auteur" not in journal  # no personal data
    assert [m["to"] for m in outbox] == [author.email] and "Propos injurieux." in outbox[0]["body"]
    assert db.session.execute(db.select(Report.resolved_at)).scalar_one() is not None
    entry = db.session.execute(db.select(StaffLogEntry)).scalar_one()
    assert (entry.actor_id, entry.area, entry.action) == (moderator.id, "moderation", "hide")
    assert entry.before_data["hidden"] is False and entry.after_data["hidden"] is True


def test_pre_moderation_holds_proposals_until_published(client, ctx):
    theme = make_theme()
    theme.moderation = ModerationMode.PRE
    db.session.commit()
    author = make_user()
    login(client, author)
    client.post_form("/proposals/new", {"title": "Un marché bio", "body": "Le jeudi.", "theme": str(theme.id)})
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.state is ProposalState.PENDING
    assert "Un marché bio" not in client.get("/proposals/").get_data(as_text=True)
    assert client.get(f"/proposals/{proposal.id}").status_code == 200  # its author reads it
    client.post_form("/logout")
    assert client.get(f"/proposals/{proposal.id}").status_code == 404
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "proposal", proposal.id, "request_changes").status_code == 200  # a message is needed
    assert _decide(client, "proposal", proposal.id, "request_changes",
                   message="Précisez le lieu.").status_code == 302
    client.post_form("/logout")
    login(client, author)
    page = Page(client.get(f"/proposals/{proposal.id}"))
    assert "Précisez le lieu." in page.text("#moderation-status")
    assert client.post_form(f"/proposals/{proposal.id}/edit", {"title": "Un marché bio place Carnot",
                                                               "body": "Le jeudi.", "theme": str(theme.id)}
                            ).status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.PENDING  # back in the queue
    client.post_form("/logout")
    login(client, make_user(role=Role.MODERATOR))
    assert "place Carnot" in Page(client.get("/moderation/")).text(".resident-card")
    assert _decide(client, "proposal", proposal.id, "publish").status_code == 302
    client.post_form("/logout")
    assert Page(client.get("/proposals/")).texts(".cards .card-title a") == ["Un marché bio place Carnot"]


@pytest.mark.parametrize("action, state", [("reject", ProposalState.REJECTED)])
def test_reject_with_a_public_reason_then_restore(client, ctx, action, state):
    theme = make_theme()
    proposal = make_proposal(theme=theme, state=ProposalState.PENDING)
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "proposal", proposal.id, action, reason="Hors compétence communale.").status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is state
    client.post_form("/logout")
    response = client.get(f"/proposals/{proposal.id}")
    page = Page(response)
    assert page.h1 == f"Proposition n° {proposal.id}"
    assert "Raison : Hors compétence communale." in page.texts("main p")
    assert proposal.body not in response.get_data(as_text=True)
    login(client, make_user(role=Role.ADMIN))
    assert _decide(client, "proposal", proposal.id, "restore").status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.PUBLISHED
    kinds = [a.kind for a in db.session.execute(db.select(ModerationAction).order_by(ModerationAction.id)).scalars()]
    assert kinds == [ModerationKind.REJECT, ModerationKind.RESTORE]


def test_an_action_the_state_does_not_allow_is_refused(client, ctx):
    proposal = make_proposal()
    login(client, make_user(role=Role.MODERATOR))
    response = _decide(client, "proposal", proposal.id, "publish")  # already published
    assert response.status_code == 200
    assert db.session.execute(db.select(db.func.count(ModerationAction.id))).scalar_one() == 0


def test_merging_moves_supports_without_counting_anyone_twice(client, ctx):
    kept, duplicate = make_proposal(title="Piste cyclable"), make_proposal(title="Une piste vélo")
    both, only_duplicate, only_kept = make_user(), make_user(), make_user()
    make_support(kept, both), make_support(duplicate, both)
    make_support(duplicate, only_duplicate), make_support(kept, only_kept)
    login(client, make_user(role=Role.MODERATOR))
    bad = _decide(client, "proposal", duplicate.id, "merge", merge_into=str(duplicate.id))
    assert bad.status_code == 200
    assert _decide(client, "proposal", duplicate.id, "merge", merge_into=str(kept.id)).status_code == 302
    supporters = db.session.execute(db.select(Support.user_id).where(Support.proposal_id == kept.id)).scalars().all()
    assert sorted(supporters) == sorted([both.id, only_duplicate.id, only_kept.id])
    # Nothing deleted: the double support stays on the merged proposal, which no longer counts.
    assert db.session.execute(db.select(db.func.count(Support.id))).scalar_one() == 4
    db.session.refresh(duplicate)
    assert duplicate.state is ProposalState.MERGED and duplicate.merged_into_id == kept.id
    client.post_form("/logout")
    page = Page(client.get(f"/proposals/{duplicate.id}"))
    assert ("Piste cyclable", f"/proposals/{kept.id}") in page.links(".proposal .notice")
    listed = client.get("/proposals/?state=all")
    assert "Une piste vélo" not in listed.get_data(as_text=True)
    assert Page(listed).texts(".cards .card-title a") == ["Piste cyclable"]


def test_moderators_only_and_the_journal_is_public(client, ctx):
    comment = make_comment(make_proposal())
    for role in (Role.RESIDENT, Role.ELECTED, Role.COUNTER_AGENT):
        login(client, make_user(role=role))
        assert client.get("/moderation/").status_code == 403
        assert _decide(client, "comment", comment.id, "hide", reason="x").status_code == 403
        client.post_form("/logout")
    assert client.get("/moderation/journal").status_code == 200


def test_settings_threshold_and_global_mode(client, ctx):
    theme = make_theme()
    admin = make_user(role=Role.ADMIN)
    login(client, admin)
    bad = client.post_form("/admin/moderation", {"mode": "pre", "report_threshold": "0"})
    assert bad.status_code == 200 and Page(bad).value("report_threshold") == "0"
    assert Page(bad).field_error("report_threshold")
    response = client.post_form("/admin/moderation", {"mode": "pre", "report_threshold": "2",
                                                      f"theme_{theme.id}": "post"})
    assert response.status_code == 302
    assert services.global_mode() is ModerationMode.PRE and services.report_threshold() == 2
    db.session.refresh(theme)
    assert theme.moderation is ModerationMode.POST
    assert db.session.execute(db.select(StaffLogEntry.area)).scalar_one() == "settings"
    client.post_form("/logout")
    login(client, make_user(role=Role.MODERATOR))
    assert client.get("/admin/moderation").status_code == 403


def test_a_decision_without_a_choice_is_shown_inline_and_keeps_the_text(client, ctx):
    comment = make_comment(make_proposal())
    login(client, make_user(role=Role.MODERATOR))
    response = client.post_form(f"/moderation/comment/{comment.id}", {"reason": "Texte gardé"})
    page = Page(response)
    assert response.status_code == 200 and page.has('.error-summary a[href="#decision-0"]')
    assert page.select_one("#decision-0")["name"] == "decision"
    assert page.value("reason") == "Texte gardé" and page.field_error("decision")


@pytest.mark.parametrize("start, decision, fields, end", [
    (ProposalState.PENDING, "publish", {}, ProposalState.PUBLISHED),
    (ProposalState.PENDING, "request_changes", {"message": "Précisez."}, ProposalState.CHANGES_REQUESTED),
    (ProposalState.PENDING, "reject", {"reason": "Doublon d'une compétence départementale."}, ProposalState.REJECTED),
    (ProposalState.PUBLISHED, "hide", {"reason": "Données personnelles."}, ProposalState.HIDDEN),
    (ProposalState.HIDDEN, "restore", {}, ProposalState.PUBLISHED),
    (ProposalState.REJECTED, "restore", {}, ProposalState.PUBLISHED),
])
def test_each_decision_changes_the_state_and_adds_one_journal_entry(client, ctx, outbox, start, decision, fields,
                                                                   end):
    author = make_user()
    proposal = make_proposal(author=author, state=start)
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "proposal", proposal.id, decision, **fields).status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is end
    [entry] = db.session.execute(db.select(ModerationAction)).scalars().all()
    assert entry.kind is ModerationKind(decision) and entry.target_id == proposal.id
    assert [m["to"] for m in outbox] == [author.email]
    journal = Page(client.get("/moderation/journal"))
    assert f"/proposals/{proposal.id}" in [href for _text, href in journal.links("table tbody")]


def test_content_out_of_public_view_cannot_be_read_through_the_report_or_reply_pages(client, client_request, ctx):
    proposal = make_proposal()
    pending = make_proposal(title="Pas encore relue", state=ProposalState.PENDING)
    hidden = make_proposal(title="Masquée pour injure", state=ProposalState.HIDDEN)
    held = make_comment(proposal, body="Signalé trois fois")
    held.held_by_reports = True
    deleted = make_comment(proposal, body="Effacé par son auteur")
    deleted.deleted_at = utcnow()
    moderated = make_comment(proposal, body="Masqué par un modérateur")
    moderated.hidden_at = utcnow()
    db.session.commit()
    login(client, make_user())
    for url in (f"/report/proposal/{pending.id}", f"/report/proposal/{hidden.id}", f"/report/comment/{held.id}",
                f"/report/comment/{deleted.id}", f"/report/comment/{moderated.id}"):
        response = client.get(url)
        assert response.status_code == 404, url
    # Their threads show that they are hidden or deleted, and offer no reply.
    for comment in (held, deleted, moderated):
        thread = client_request.get("proposals.thread", proposal_id=proposal.id, comment_id=comment.id)
        assert comment.body not in thread.text("main") and not thread.has('[name="body"]')
    # A reply form sent with an error shows the detail page, not the hidden or deleted comment.
    for parent in (held, deleted, moderated):
        page = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "", "parent_id": str(parent.id)})
        assert parent.body not in page.get_data(as_text=True)
        # And a reply to it is refused: it would bring the thread back to view.
        refused = client.post_form(f"/proposals/{proposal.id}/comments", {"body": "Je réponds",
                                                                         "parent_id": str(parent.id)})
        assert refused.status_code == 200
    assert db.session.execute(db.select(db.func.count(Comment.id)).where(Comment.body == "Je réponds")).scalar_one() == 0


def test_a_duplicate_merged_before_review_stays_unpublished(client, ctx):
    kept = make_proposal(title="Piste cyclable")
    pending = make_proposal(title="Doublon jamais relu", body="Texte jamais publié", state=ProposalState.PENDING)
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "proposal", pending.id, "merge", merge_into=str(kept.id)).status_code == 302
    client.post_form("/logout")
    assert client.get(f"/proposals/{pending.id}").status_code == 404
    # Its author still reads it, with where it went.
    login(client, pending.author)
    page = Page(client.get(f"/proposals/{pending.id}"))
    assert page.text(".proposal .body") == "Texte jamais publié"
    assert ("Piste cyclable", f"/proposals/{kept.id}") in page.links(".proposal .notice")


def test_a_merged_proposal_never_shows_the_title_of_a_kept_one_hidden_since(client, ctx):
    kept = make_proposal(title="Titre masqué depuis")
    duplicate = make_proposal(title="Une piste vélo")
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "proposal", duplicate.id, "merge", merge_into=str(kept.id)).status_code == 302
    assert _decide(client, "proposal", kept.id, "hide", reason="Propos injurieux").status_code == 302
    client.post_form("/logout")
    response = client.get(f"/proposals/{duplicate.id}")
    page = Page(response)
    assert page.h1 == "Une piste vélo" and "Titre masqué depuis" not in response.get_data(as_text=True)
    assert "n’est pas affichée pour le moment" in page.text(".proposal .notice")


def test_restoring_a_withdrawn_proposal_keeps_it_withdrawn(client, ctx):
    proposal = make_proposal(state=ProposalState.WITHDRAWN, withdrawn_reason="")
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "proposal", proposal.id, "hide", reason="Données personnelles").status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.HIDDEN
    assert _decide(client, "proposal", proposal.id, "restore").status_code == 302
    db.session.refresh(proposal)
    assert proposal.state is ProposalState.WITHDRAWN  # the author's withdrawal is not undone


def test_a_reported_comment_deleted_by_its_author_leaves_the_queue(client, ctx):
    proposal = make_proposal()
    author = make_user()
    comment = make_comment(proposal, author=author, body="Regrettable")
    _residents_report(client, "comment", comment.id, 1)
    login(client, author)
    assert client.post_form(f"/proposals/comments/{comment.id}/delete").status_code == 302
    assert services.queue().items == []
    assert db.session.execute(db.select(Report.resolved_at)).scalar_one() is not None


def test_the_author_reads_on_their_page_why_a_comment_was_hidden(client, ctx):
    author = make_user()
    comment = make_comment(make_proposal(), author=author, body="Hors sujet")
    login(client, make_user(role=Role.MODERATOR))
    assert _decide(client, "comment", comment.id, "hide", reason="Hors sujet : parle d’autre chose").status_code == 302
    client.post_form("/logout")
    login(client, author)
    page = Page(client.get("/account/data"))
    assert any("Masqué par la modération\u202f: Hors sujet : parle d’autre chose" in item.get_text()
               for item in page.select("main li"))
    exported = client.get("/account/data.json").get_json()
    assert exported["comments"][0]["hidden"] is True


def test_a_moderator_keeps_reported_content_whose_reports_are_unfounded(client, ctx, outbox):
    """Reported below the threshold (still shown) or held by reports: every reported item can be kept as it is,
    which settles its reports, takes it out of the queue and is written in the journal; only the author of
    held content is told (it is shown again)."""
    proposal = make_proposal(title="Des bancs place du marché")
    comment = make_comment(proposal, body="Je ne suis pas d’accord.")
    _residents_report(client, "comment", comment.id, 1)
    _residents_report(client, "proposal", proposal.id, services.report_threshold())
    db.session.refresh(proposal)
    assert proposal.held_by_reports and not comment.held_by_reports
    login(client, make_user(role=Role.MODERATOR))
    queue = Page(client.get("/moderation/"))
    for card in queue.select(".resident-card"):
        choices = [label.get_text() for label in card.select("fieldset label")]
        assert "Garder tel quel (signalements infondés)" in choices, choices
    assert _decide(client, "comment", comment.id, "keep").status_code == 302
    assert _decide(client, "proposal", proposal.id, "keep").status_code == 302
    db.session.refresh(comment)
    db.session.refresh(proposal)
    assert comment.hidden_at is None and not comment.held_by_reports
    assert proposal.state is ProposalState.PUBLISHED and not proposal.held_by_reports
    assert db.session.execute(db.select(Report).where(Report.resolved_at.is_(None))).scalars().all() == []
    assert services.queue().items == [] and services.miscounted_items() == []
    kinds = db.session.execute(db.select(ModerationAction.target_type, ModerationAction.kind)
                               .where(ModerationAction.moderator_id.is_not(None))).all()
    assert sorted((t.value, k) for t, k in kinds) == [("comment", ModerationKind.KEEP),
                                                      ("proposal", ModerationKind.KEEP)]
    rows = Page(client.get("/moderation/journal")).select("table tbody tr")
    assert sum("Gardé tel quel\u202f: les signalements étaient infondés" in row.get_text() for row in rows) == 2
    assert [m["to"] for m in outbox] == [proposal.author.email]
    # Nothing is left to keep: without reports, the choice is not offered, and is refused if posted.
    page = Page(client.get(f"/moderation/comment/{comment.id}"))
    choices = [label.get_text() for label in page.select("fieldset label")]
    assert "Garder tel quel (signalements infondés)" not in choices
    refused = _decide(client, "comment", comment.id, "keep")
    assert refused.status_code == 200 and Page(refused).errors


def test_restoring_is_for_hidden_or_rejected_content_not_for_held_content(client, ctx):
    comment = make_comment(make_proposal())
    _residents_report(client, "comment", comment.id, services.report_threshold())
    db.session.refresh(comment)
    assert services.allowed_kinds(comment) == {ModerationKind.HIDE, ModerationKind.KEEP}


def test_moderators_read_the_decisions_as_verbs_not_as_grades(client, ctx):
    """"Reject" is also a grade of majority judgment ("À rejeter"): the decision has its own context."""
    proposal = make_proposal(state=ProposalState.PENDING)
    login(client, make_user(role=Role.MODERATOR))
    page = Page(client.get(f"/moderation/proposal/{proposal.id}"))
    assert [label.get_text() for label in page.select("fieldset label")] == [
        "Publier", "Demander une modification à l’auteur", "Rejeter", "Fusionner dans une autre proposition"]


def test_a_reason_reads_as_one_typeset_sentence_and_other_is_the_forms_wording_only(client_request, login_as):
    """"Other (say what)" is the form's choice; a recorded reason reads "Other", beside the reporter's words in one
    translated sentence (French typography: a narrow no-break space before the colon), on the reporter's data page,
    the moderator's page and the queue. A comment's decision form has no message to the author (only a change
    request has one, and a comment cannot get it)."""
    proposal = make_proposal()
    comment = make_comment(proposal)
    login_as()
    form = client_request.get("moderation.report", target_type="comment", target_id=comment.id)
    assert "Autre (précisez)" in form.texts("main label")
    client_request.post("moderation.report", target_type="comment", target_id=comment.id,
                        _data={"reason": "other", "text": "Hors charte"})
    mine = client_request.get("accounts.my_data")
    assert f"Commentaire n° {comment.id}\u202f: Autre" in mine.select_one("main").get_text()
    client_request.client.post_form("/logout")
    login_as(Role.MODERATOR)
    page = client_request.get("moderation.decide", target_type="comment", target_id=comment.id)
    assert "Autre\u202f: Hors charte" in [li.get_text().split(" (")[0] for li in page.select("main li")]
    assert not page.has("textarea[name=message]")
    queue = client_request.get("moderation.queue")
    assert queue.texts(".report-reasons") == ["Autre (1)"]
    assert not queue.has(f"#comment-{comment.id}-message")
    assert client_request.get("moderation.decide", target_type="proposal", target_id=proposal.id).has(
        "textarea[name=message]")


def test_content_one_reported_says_so_in_place_of_the_link_at_one_query_for_the_page(app, client_request, login_as):
    """After reporting, the proposal and each comment reported show "you have reported this content" instead of
    the link, and the report page says it at once instead of offering the form again; the page finds the
    reader's reports of all its items in one query."""
    proposal = make_proposal()
    comments = [make_comment(proposal, body=f"Commentaire {n}") for n in range(3)]
    login_as()
    for target_type, target in (("proposal", proposal), ("comment", comments[1])):
        client_request.post("moderation.report", target_type=target_type, target_id=target.id,
                            _data={"reason": "spam"})
    page = client_request.get("proposals.detail", proposal_id=proposal.id)
    assert page.text("article p.actions") == "Vous avez signalé ce contenu"
    actions = [text_of(c.select_one(".actions")) for c in page.select(".comments .comment")]
    assert ["Vous avez signalé ce contenu" in a for a in actions] == [False, True, False]
    assert ["Signaler le commentaire" in a for a in actions] == [True, False, True]
    again = client_request.get("moderation.report", target_type="comment", target_id=comments[1].id)
    assert "Vous avez signalé ce contenu. Les modérateurs vont l’examiner." in again.texts("main p")
    assert not again.has("main form textarea")
    with recording(app) as statements:
        client_request.get("proposals.detail", proposal_id=proposal.id)
    # The comments' in one statement; the proposal's is read with the proposal, in the page's first statement.
    assert sum(s.startswith("SELECT report.") for s in statements) == 1
    assert sum("FROM report" in s for s in statements if s.startswith("SELECT proposal.")) == 1


def test_what_a_reader_reported_is_found_by_one_statement_built_once(ctx):
    """Pages of other items, of the same kinds, run the same statement (built once, the reader and the items
    bound), and it still finds only this reader's reports of these items."""
    reader, other = make_user(), make_user()
    pages = []
    for _ in range(2):
        proposal = make_proposal()
        comments = [make_comment(proposal), make_comment(proposal)]
        services.report(reader, comments[1], ReportReason.SPAM, "")
        services.report(other, comments[0], ReportReason.SPAM, "")
        db.session.commit()
        pages.append((proposal, comments))
    executed = []

    def record(state):
        executed.append(state.statement)

    event.listen(db.session, "do_orm_execute", record)
    try:
        found = [services.reported_by(reader, [proposal, *comments]) for proposal, comments in pages]
    finally:
        event.remove(db.session, "do_orm_execute", record)
    assert found == [{(TargetType.COMMENT, comments[1].id)} for _proposal, comments in pages]
    of_reports = [statement for statement in executed if "FROM report" in str(statement)]  # not the items' reloads
    assert len(of_reports) == 2 and of_reports[0] is of_reports[1]
