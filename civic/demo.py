"""A believable demo commune: Villeneuve-sur-Lys, its themes, residents, proposals and debates.

Everything is fictional. The same data comes out each time (fixed random seed).
"""
import random
from datetime import date, timedelta

from werkzeug.datastructures import MultiDict

from . import identity
from .access import Role
from .accounts.models import District, User
from .accounts.services import create_user
from .answers.models import AnswerStatus
from .answers.services import answer
from .counters.administration import save_counter
from .counters.audit import record
from .counters.models import AssistedActionKind, Channel, Counter, IdentityCheck, ReceiptLayout, SessionEnd
from .counters.residents import register_resident
from .counters.sessions import end_session, open_session
from .db_types import utcnow
from .domain import DomainError
from .decisions import services as decisions
from .decisions.models import BudgetRule, Method
from .extensions import db
from .following.services import follow
from .followup import services as followup
from .followup.models import ImplementationRecord, ImplementationStatus
from .legal.logo import sanitise
from .mail import OutgoingMail
from .moderation import services as moderation
from .moderation.models import ModerationKind, ModerationMode, ReportReason
from .processes import services as processes
from .processes.models import Feasibility, PhaseKind, ProcessProposal
from .processes.phases import today
from .processes.services import PhaseRow
from .proposals.models import Comment, Proposal, ProposalState, Support
from .questionnaires import services as questionnaires
from .questionnaires.models import Answer, FreeTextUse, QuestionKind, Response, TextState
from .questionnaires.results import save_synthesis
from .targets import TargetType
from .text import normalize_for_search
from .timezones import paris_day_bounds
from .themes.models import Theme
from .voting.majority_judgment import GRADES

DEMO_PASSWORD = "civic-demo-2026"

DEMO_ACCOUNTS = [
    ("resident@example.org", "Camille Martin", Role.RESIDENT),
    ("agent@example.org", "Karim Benali (guichet)", Role.COUNTER_AGENT),
    ("moderateur@example.org", "Sophie Leroy (modération)", Role.MODERATOR),
    ("elue@example.org", "Hélène Garnier, adjointe au maire", Role.ELECTED),
    ("admin@example.org", "Service numérique", Role.ADMIN),
]

RESIDENTS = [
    "Lucas Bernard", "Manon Petit", "Yasmine Haddad", "Jean-Pierre Dubois", "Chloé Moreau",
    "Thomas Laurent", "Fatou Diallo", "Marie-Claire Fontaine", "Hugo Lefèvre", "Inès Rousseau",
    "Gérard Mercier", "Léa Nguyen",
]

THEMES = [
    ("Mobilité et déplacements", "Mobility and transport"),
    ("Environnement et nature", "Environment and nature"),
    ("Cadre de vie et propreté", "Living environment"),
    ("Solidarité et santé", "Solidarity and health"),
    ("Culture et patrimoine", "Culture and heritage"),
    ("Sport et jeunesse", "Sport and youth"),
    ("Écoles et petite enfance", "Schools and early childhood"),
    ("Commerces et marché", "Shops and market"),
]

PROPOSALS = [
    (0, "Une piste cyclable sécurisée avenue Jean-Jaurès",
     "L'avenue Jean-Jaurès relie la gare au collège, mais les vélos roulent au milieu des voitures.\n\n"
     "Je propose une piste séparée par une bordure, des deux côtés, entre le rond-point de la Poste et le collège.",
     "Avenue Jean-Jaurès"),
    (0, "Plus de bus le dimanche vers l'hôpital",
     "Le dimanche, la ligne 3 ne passe que toutes les heures. Les visiteurs de l'hôpital attendent longtemps.\n"
     "Un bus toutes les 30 minutes l'après-midi suffirait.", "Ligne 3"),
    (0, "Des arceaux vélos devant la médiathèque", "Il n'y a aucun endroit pour attacher son vélo devant la médiathèque.",
     "Médiathèque Louise-Michel"),
    (0, "Zone 30 autour des écoles", "Limiter la vitesse à 30 km/h dans toutes les rues qui bordent une école.", None),
    (1, "Planter des arbres dans la cour de l'école Pasteur",
     "La cour est entièrement goudronnée : en juin, il y fait plus de 35 °C.\n\n"
     "Désimperméabiliser une partie de la cour et planter des arbres ferait un îlot de fraîcheur, "
     "comme à Paris avec les cours Oasis : https://www.paris.fr/pages/les-cours-oasis-7389", "École Pasteur"),
    (1, "Un composteur partagé au quartier des Tilleuls", "Beaucoup d'habitants des immeubles aimeraient composter.",
     "Quartier des Tilleuls"),
    (1, "Éteindre l'éclairage public entre 1 h et 5 h",
     "Économies d'énergie et respect de la faune nocturne. Garder l'éclairage sur les passages piétons.", None),
    (1, "Un verger communal au parc du Moulin", "Des pommiers, poiriers et pruniers en libre cueillette.",
     "Parc du Moulin"),
    (1, "Protéger la haie du chemin des Saules", "La haie abrite des oiseaux ; elle est taillée en pleine nidification.",
     "Chemin des Saules"),
    (2, "Des bancs le long de la rue de la République",
     "Pour les personnes âgées qui vont au marché à pied, un banc tous les 200 mètres.", "Rue de la République"),
    (2, "Plus de poubelles et de cendriers place de la Mairie", "Le samedi soir, la place est jonchée de déchets.",
     "Place de la Mairie"),
    (2, "Des toilettes publiques au parc du Moulin", "Les familles avec de jeunes enfants en ont besoin.",
     "Parc du Moulin"),
    (2, "Refaire le trottoir de la rue des Lilas", "Le trottoir est défoncé : impossible d'y passer avec une poussette "
     "ou un fauteuil roulant.", "Rue des Lilas"),
    (3, "Un lieu d'accueil pour les aidants familiaux", "Un local où les aidants peuvent se retrouver et s'informer.",
     None),
    (3, "Une permanence numérique à la mairie annexe",
     "Beaucoup d'habitants ont besoin d'aide pour leurs démarches en ligne.", "Mairie annexe des Tilleuls"),
    (3, "Un frigo solidaire au centre social", "Pour partager les invendus et les surplus des jardins.",
     "Centre social"),
    (4, "Une fête des voisins soutenue par la ville", "Prêt de tables, de chaises et d'une sono aux quartiers.", None),
    (4, "Ouvrir la médiathèque le dimanche matin", "Beaucoup de familles ne peuvent venir qu'en week-end.",
     "Médiathèque Louise-Michel"),
    (4, "Restaurer le lavoir du vieux bourg", "Le lavoir du XIXe siècle s'abîme ; il pourrait accueillir des expositions.",
     "Vieux bourg"),
    (5, "Un city-stade au quartier de la Gare", "Les jeunes du quartier n'ont aucun terrain de jeu.",
     "Quartier de la Gare"),
    (5, "Des cours de natation gratuits pour les enfants", "Un enfant sur deux ne sait pas nager en entrant au collège.",
     "Piscine municipale"),
    (5, "Un skatepark près du collège", "Les jeunes font du skate sur le parking du supermarché, c'est dangereux.", None),
    (6, "Des repas bio et locaux à la cantine", "Passer à 50 % de produits bio et locaux dans les cantines.", None),
    (6, "Un pédibus pour l'école Jules-Ferry", "Des parents volontaires accompagnent à pied les enfants.",
     "École Jules-Ferry"),
    (6, "Plus de places en crèche", "La liste d'attente dépasse un an.", None),
    (7, "Un marché le mercredi soir", "Un petit marché de producteurs en fin de journée pour ceux qui travaillent.",
     "Place de la Mairie"),
    (7, "Aider les commerces vides du centre-ville", "Louer les boutiques vides à prix réduit aux jeunes artisans.",
     "Centre-ville"),
    (7, "Une navette gratuite vers le marché du samedi", "Pour les habitants des hameaux sans voiture.", None),
    (0, "Un parking relais à l'entrée de la ville", "Pour laisser sa voiture et prendre le bus vers le centre.", None),
    (1, "Récupérer l'eau de pluie des bâtiments communaux", "Pour arroser les espaces verts en été.", None),
]

COMMENTS = [
    "Tout à fait d'accord, c'est une vraie demande dans le quartier.",
    "Bonne idée, mais qui s'occupera de l'entretien ?",
    "Il faudrait d'abord en discuter avec les riverains.",
    "Je soutiens ! Mes enfants en profiteraient tous les jours.",
    "Attention au coût : est-ce la priorité cette année ?",
    "On pourrait s'inspirer de ce qui se fait dans la commune voisine.",
]

REPLIES = [
    "Les services techniques pourraient s'en charger.",
    "D'accord, une réunion de quartier serait utile.",
    "Le coût est modeste comparé au bénéfice.",
]


# A commune that does not exist: its SIRET has a valid check digit but names no establishment.
IDENTITY = {
    "name": "Villeneuve-sur-Lys", "siret": "21599999900018",
    "address": "Hôtel de ville\n1 place de la République\n59000 Villeneuve-sur-Lys",
    "email": "participer@villeneuve-sur-lys.example", "phone": "03 20 00 00 00",
    "director": "Claire Vasseur, maire de Villeneuve-sur-Lys",
    "host_name": "Direction du numérique de Villeneuve-sur-Lys",
    "host_address": "1 place de la République\n59000 Villeneuve-sur-Lys", "host_contact": "03 20 00 00 10",
    "dpo_contact": "Délégué à la protection des données, 1 place de la République, 59000 Villeneuve-sur-Lys\n"
                   "dpo@villeneuve-sur-lys.example",
    "declared_on": "2026-12-01",
}
# A coat of arms drawn for the demo: a shield with a wavy band (the Lys).
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 48"><title>Blason de Villeneuve-sur-Lys</title>'
        '<path d="M2 2h36v22c0 12-9 19-18 22C11 43 2 36 2 24z" fill="#1d4f91"/>'
        '<path d="M2 22c6-4 12 4 18 0s12-4 18 0v6c-6-4-12 4-18 0S8 24 2 28z" fill="#fff"/></svg>')


def seed(rng=None):
    rng = rng or random.Random(2026)
    now = utcnow()
    identity.save({**IDENTITY, "logo": sanitise(LOGO.encode())}, DomainError("the demo's identity is already set"))
    accounts = [create_user(name, email, DEMO_PASSWORD, role=role, confirmed=True)
                for email, name, role in DEMO_ACCOUNTS]
    residents = [
        create_user(name, normalize_for_search(name).replace(" ", ".") + "@example.org", DEMO_PASSWORD, confirmed=True)
        for name in RESIDENTS
    ]
    authors = [accounts[0], *residents]
    themes = [Theme(name=fr, name_en=en) for fr, en in THEMES]
    db.session.add_all(themes)
    db.session.flush()

    proposals = []
    for index, (theme_index, title, body, place) in enumerate(PROPOSALS):
        created = now - timedelta(days=120 - index * 4, hours=rng.randint(0, 12))
        author = authors[index % len(authors)]
        proposal = Proposal(
            title=title, body=body, place=place, theme=themes[theme_index], author=author,
            created_at=created, updated_at=created,
        )
        if index in (12, 21):
            proposal.state = ProposalState.WITHDRAWN
            proposal.withdrawn_reason = "Une proposition plus complète a été déposée par un voisin ; je la soutiens."
        db.session.add(proposal)
        db.session.flush()
        proposals.append(proposal)
        # Proposal 0 keeps no activity so its author can still edit it in the demo.
        if index == 0:
            continue
        for supporter in rng.sample(authors, rng.randint(0, len(authors))):
            db.session.add(Support(proposal_id=proposal.id, user_id=supporter.id, created_at=created + timedelta(days=1)))
        for n in range(rng.randint(0, 3)):
            commenter = rng.choice(authors)
            comment = Comment(proposal=proposal, author=commenter, body=rng.choice(COMMENTS),
                              created_at=created + timedelta(days=2 + n))
            db.session.add(comment)
            db.session.flush()
            if rng.random() < 0.4:
                db.session.add(Comment(proposal=proposal, author=rng.choice(authors), parent_id=comment.id,
                                       body=rng.choice(REPLIES), created_at=created + timedelta(days=3 + n)))
            if index == 5 and n == 0:
                comment.deleted_at = created + timedelta(days=4)
    db.session.flush()
    districts = [District(name=name) for name in DISTRICTS]
    db.session.add_all(districts)
    db.session.flush()
    # Some proposals say the district they concern; the others concern the whole commune.
    for index, proposal in enumerate(proposals):
        if index % 3 == 1:
            proposal.district_id = districts[index % len(districts)].id
    for index, resident in enumerate(residents):
        resident.district_id = districts[index % len(districts)].id
        resident.district_since = now - timedelta(days=200)
        # Registered before the demo's votes, the closed ones included: their electorate counts them.
        resident.created_at = resident.email_confirmed_at = now - timedelta(days=200)
    _seed_decisions(rng, accounts, residents, districts, proposals)
    _seed_counters(accounts, districts, themes)
    _seed_moderation(accounts, residents, themes)
    _seed_processes(accounts[3], residents, themes, proposals, districts)
    _seed_followup(accounts, proposals, districts)
    _seed_consultations(accounts, residents)
    # The demo's addresses are fictional: the mails written while seeding are not to be sent.
    db.session.execute(db.update(OutgoingMail).values(sent_at=utcnow(), last_error="demo data: not sent"))


DISTRICTS = ("Centre-ville", "Les Tilleuls", "Quartier de la Gare", "Vieux bourg")


def _decision(official, title, question, description, method, options=(), starts=-2, ends=12, announced=True,
              **fields):
    now = utcnow().replace(second=0, microsecond=0)
    return decisions.save_decision(
        None, official, title=title, question=question, description=description, method=method,
        opens_at=now + timedelta(days=starts), closes_at=now + timedelta(days=ends),
        options=[(label, None, cost, proposal_id) for label, cost, proposal_id in options], **fields,
    ), announced


def _seed_decisions(rng, accounts, residents, districts, proposals):
    official = accounts[3]

    def nth(number):
        """The id of the number-th proposal of PROPOSALS (ids depend on what the database held before)."""
        return proposals[number - 1].id

    # Camille (the demo resident) votes in none of them, so the demo can show a first vote.
    created = [
        _decision(official, "Piétonniser la place de la Mairie le samedi",
                  "Faut-il réserver la place de la Mairie aux piétons le samedi, de 8 h à 19 h ?",
                  "Le marché s'étend et les terrasses manquent de place. Les livraisons resteraient possibles avant 8 h.",
                  Method.YES_NO),
        _decision(official, "Le nom de la nouvelle médiathèque", "Quel nom donner à la médiathèque du quartier de la Gare ?",
                  "Trois noms ont été proposés par le conseil de quartier.", Method.SINGLE_CHOICE,
                  [("Simone-Veil", None, None), ("Les Mots Passants", None, None), ("Jules-Verne", None, None)]),
        _decision(official, "Les animations de l'été", "Quelles animations souhaitez-vous cet été ? (deux au plus)",
                  "Le budget permet d'en organiser deux.", Method.APPROVAL,
                  [("Cinéma en plein air", None, None), ("Bal du 14 juillet", None, None),
                   ("Fête de la musique au parc", None, None), ("Marché nocturne", None, None)], max_choices=2,
                  number_of_winners=2),
        _decision(official, "L'aménagement du parc du Moulin", "Comment jugez-vous chacun de ces projets ?",
                  "Les services techniques ont préparé trois esquisses.", Method.MAJORITY_JUDGMENT,
                  [("Une aire de jeux", None, None), ("Un jardin partagé", None, None), ("Un kiosque à musique", None, None)]),
        _budget_vote_2027(official, nth),
        _decision(official, "Budget participatif 2026", "Quels projets financer avec 60 000 € ?",
                  "Vote terminé ; résultats publiés.", Method.BUDGET,
                  [("Toilettes publiques au parc", 30000, nth(12)), ("Frigo solidaire", 6000, nth(16)),
                   ("Lavoir du vieux bourg", 40000, nth(19)), ("Arceaux vélos médiathèque", 4000, nth(3))],
                  starts=-60, ends=-30, budget=60000, budget_rule=BudgetRule.EQUAL_SHARES),
        _decision(official, "Horaires de la piscine", "Quels horaires pour la piscine municipale le dimanche ?",
                  "Vote terminé ; résultats en cours de vérification.", Method.SINGLE_CHOICE,
                  [("9 h – 13 h", None, None), ("14 h – 19 h", None, None)], starts=-20, ends=-1),
        _decision(official, "Éclairage public la nuit", "Faut-il éteindre l'éclairage public entre 1 h et 5 h ?",
                  "Consultation annoncée pour le mois prochain.", Method.YES_NO, starts=20, ends=35),
        _decision(official, "Sens de circulation rue des Lilas", "Quel sens de circulation pour la rue des Lilas ?",
                  "Brouillon en préparation par le service voirie.", Method.SINGLE_CHOICE,
                  [("Sens unique vers la gare", None, None), ("Double sens", None, None)], starts=10, ends=20,
                  announced=False),
    ]
    created[1][0].districts = [districts[2]]
    for decision, announced in created:
        if announced:
            decision.announced_at = decision.opens_at - timedelta(days=5)
    db.session.flush()
    voters = residents  # every demo resident but Camille
    for decision, announced in created:
        if not announced or decision.opens_at > utcnow():
            continue
        real_close = decision.closes_at
        decision.closes_at = max(real_close, utcnow() + timedelta(days=1))
        db.session.flush()
        for voter in voters:
            if not decisions.in_allowed_district(voter, decision) or rng.random() < 0.2:
                continue
            decisions.cast_ballot(voter, decision, _random_ballot(rng, decision), Channel.ONLINE)
        decision.closes_at = real_close
        db.session.flush()
    published = created[5][0]
    decisions.publish_results(published, official)
    _process(official, "Budget participatif 2026", "60 000 € pour les projets des habitants : votés, et en cours de "
             "réalisation.", 60000, (-200, -121, -120, -61, -60, -30, -29, -20, -19, 700),
             [(12, Feasibility.FEASIBLE, 30000), (16, Feasibility.FEASIBLE, 6000), (19, Feasibility.FEASIBLE, 40000),
              (3, Feasibility.FEASIBLE, 4000)], nth).decision_id = published.id
    db.session.flush()


# The public reasons of the demo's studies.
STUDY_REASONS = {
    Feasibility.FEASIBLE: "Le projet est réalisable par la ville ; le coût comprend les travaux et la première "
                          "année d'entretien.",
    Feasibility.NOT_FEASIBLE: "Le projet ne relève pas de la commune (l'agglomération ou un contrat en cours en "
                              "décide) : la demande a été transmise à qui en décide.",
}


def _process(official, title, summary, budget, offsets, studies, nth, themes=(), districts=()):
    """A process whose phases' first and last days fall at ``offsets`` days from today (ideas, study, vote, results,
    follow-up, as many as given), with the demo proposals numbered in ``studies`` ((number, feasibility or None,
    estimated cost)) submitted into it and studied, about ``themes`` and in ``districts`` (none: all of them)."""
    first = today()
    kinds = (PhaseKind.IDEAS, PhaseKind.STUDY, PhaseKind.VOTE, PhaseKind.RESULTS, PhaseKind.FOLLOW_UP)
    rows = [PhaseRow(kind, first + timedelta(days=offsets[2 * n]), first + timedelta(days=offsets[2 * n + 1]), n + 1)
            for n, kind in enumerate(kinds[:len(offsets) // 2])]
    process = processes.save_process(
        None, official, title=title, summary=summary, budget=budget, theme_ids=[t.id for t in themes],
        district_ids=[d.id for d in districts], phases=rows,
        description="Chaque habitant peut proposer des projets d'intérêt général pendant la phase d'idées. Les "
                    "services étudient leur faisabilité et leur coût, puis les habitants votent pour les projets "
                    "faisables, dans la limite du budget.")
    processes.publish(process, official)
    for number, feasibility, cost in studies:
        db.session.add(ProcessProposal(
            proposal_id=nth(number), process_id=process.id, feasibility=feasibility, estimated_cost=cost,
            study_reason=STUDY_REASONS.get(feasibility), department="Direction des services techniques"
            if feasibility else None, studied_at=utcnow() if feasibility else None,
            studied_by_id=official.id if feasibility else None))
    db.session.flush()
    return process


def _budget_vote_2027(official, nth):
    """The participatory budget being voted on: its vote built from the feasible projects of its process, then
    worded by the official before being announced, as an official does."""
    process = _process(official, "Budget participatif 2027",
                       "150 000 € pour les projets proposés par les habitants.", 150000, (-125, -40, -39, -3, -2, 12, 13, 20, 21, 400),
                       [(5, Feasibility.FEASIBLE, 45000), (6, Feasibility.FEASIBLE, 8000),
                        (8, Feasibility.FEASIBLE, 35000), (10, Feasibility.FEASIBLE, 12000),
                        (20, Feasibility.FEASIBLE, 70000), (2, Feasibility.NOT_FEASIBLE, None)], nth)
    decision = processes.build_vote(process, official, "Quels projets financer avec 150 000 € ?")
    decision.description = "Projets issus des propositions des habitants, chiffrés par les services."
    decision.voter_cost_limit = 100000
    return decision, True


def _seed_processes(official, residents, themes, proposals, districts):
    """A participatory budget collecting ideas and one in its technical study (the one voting and the one in its
    follow-up are made with the votes)."""
    ideas = _process(official, "Budget participatif des quartiers 2028", "Proposez vos projets pour votre quartier "
                     "jusqu'à la fin du mois.", 200000, (-10, 30, 31, 70, 71, 90, 91, 100, 101, 500), [], None,
                     districts=districts)
    for author, (theme, title, body, cost) in zip(residents, IDEAS_2028):
        proposal = Proposal(title=title, body=body, theme=themes[theme], author=author, language="fr")
        db.session.add(proposal)
        db.session.flush()
        db.session.add(ProcessProposal(proposal_id=proposal.id, process_id=ideas.id, cost_estimate=cost))
    _process(official, "Budget participatif des écoles",
             "40 000 € pour les écoles, proposés par les parents et les enfants.", 40000, (-60, -11, -10, 20, 21, 35, 36, 45), SCHOOL_STUDIES,
             lambda number: proposals[number - 1].id, themes=themes[5:7])
    db.session.flush()


IDEAS_2028 = [
    (3, "Des jeux pour enfants au square Victor-Hugo", "Le square n'a plus de jeux depuis deux ans.", 25000),
    (1, "Une boîte à livres aux Tilleuls", "Une petite bibliothèque en libre accès devant le centre social.", 800),
]
# Demo proposals (their number in PROPOSALS) submitted into the schools' process, and their study (None: to study).
SCHOOL_STUDIES = [(24, Feasibility.FEASIBLE, 3000), (23, Feasibility.NOT_FEASIBLE, None), (21, None, None),
                  (25, None, None)]


def _random_ballot(rng, decision):
    ids = [o.id for o in decision.options]
    if decision.method is Method.YES_NO:
        return {"vote": rng.choice(["yes", "yes", "no", "blank"])}
    if decision.method is Method.SINGLE_CHOICE:
        return {"option": rng.choice(ids + [None])}
    if decision.method is Method.MAJORITY_JUDGMENT:
        return {"grades": {str(i): rng.choice(GRADES) for i in ids}}
    chosen = sorted(rng.sample(ids, rng.randint(0, min(2, len(ids)))))
    if decision.method is Method.BUDGET and decision.voter_cost_limit:
        costs = {o.id: o.cost for o in decision.options}
        while sum(costs[i] for i in chosen) > decision.voter_cost_limit:
            chosen.pop()
    return {"options": chosen}



COUNTERS = [
    ("Mairie annexe des Tilleuls", "2 place des Tilleuls, 59000 Villeneuve-sur-Lys",
     "Lundi au vendredi, 9 h – 12 h et 14 h – 17 h", ReceiptLayout.A4),
    ("France Services – Médiathèque", "14 rue de la Gare, 59000 Villeneuve-sur-Lys",
     "Mardi, jeudi et samedi, 9 h 30 – 12 h 30", ReceiptLayout.TICKET),
]


def _seed_counters(accounts, districts, themes):
    """Two counters for the demo agent, and a resident without e-mail helped at one of them."""
    agent = accounts[1]
    created = [save_counter(None, name=name, address=address, opening_hours=hours, receipt_layout=layout,
                                     active=True, agent_ids=[agent.id], by=accounts[4])
               for name, address, hours, layout in COUNTERS]
    annex = created[0]
    resident = register_resident(agent, annex, full_name="Josiane Perrin", birth_date=date(1948, 3, 12),
                                          district_id=districts[1].id, phone="06 12 34 56 78")
    resident.district_since = utcnow() - timedelta(days=200)
    session = open_session(agent, annex, resident, identity_check=IdentityCheck.DOCUMENT, consent=True)
    title, body = ("Un banc à l'arrêt de bus des Tilleuls",
                   "Beaucoup de personnes âgées attendent le bus debout. Un banc et un abri seraient bienvenus.")
    proposal = Proposal(title=title, body=body, theme=themes[2], author=resident, state=ProposalState.PUBLISHED,
                        language="fr")
    db.session.add(proposal)
    db.session.flush()
    record(session, AssistedActionKind.PROPOSAL_CREATED, entered=proposal)
    end_session(session, SessionEnd.BUTTON)


def _seed_moderation(accounts, residents, themes):
    """An official answer, a proposal waiting for review in a pre-moderated theme, a reported comment,
    and a moderation decision in the journal."""
    moderator, official = accounts[2], accounts[3]
    proposals = db.session.execute(db.select(Proposal).where(Proposal.state == ProposalState.PUBLISHED)
                                   .order_by(Proposal.id)).scalars().all()
    answer(official, proposals[1], AnswerStatus.UNDER_STUDY,
           "Les services techniques étudient le coût et les emplacements possibles. Réponse définitive en mars.")
    answer(official, proposals[3], AnswerStatus.ACCEPTED,
           "Retenu pour le budget 2027 : les travaux commenceront au printemps.")
    schools = themes[6]
    schools.moderation = ModerationMode.PRE
    title, body = "Une rue aux écoles devant l'école Pasteur", "Fermer la rue aux voitures à l'entrée et à la sortie."
    db.session.add(Proposal(title=title, body=body, theme=schools, author=residents[4], state=ProposalState.PENDING,
                            language="fr"))
    commented = next(p for p in proposals if db.session.execute(
        db.select(Comment).where(Comment.proposal_id == p.id, Comment.deleted_at.is_(None))).first())
    comments = db.session.execute(db.select(Comment).where(Comment.proposal_id == commented.id,
                                                           Comment.deleted_at.is_(None))
                                  .order_by(Comment.id)).scalars().all()
    reported = comments[0]
    reporters = [r for r in residents if r.id != reported.author_id][:2]
    for reporter in reporters:
        moderation.report(reporter, reported, ReportReason.OFF_TOPIC)
    if len(comments) > 1:
        hidden = comments[-1]
        reporter = next(r for r in residents if r.id != hidden.author_id)
        moderation.report(reporter, hidden, ReportReason.INSULT, "")
        moderation.decide(moderator, hidden, ModerationKind.HIDE, reason="Propos désobligeants envers un voisin.")


def _seed_followup(accounts, proposals, districts):
    """What became of what was decided: the published budget's winners and the accepted proposals got their
    records when published or answered; one more accepted proposal, then one record done, one under way with
    milestones (followed by the demo resident), one abandoned with its reason."""
    official = accounts[3]
    answer(official, proposals[7], AnswerStatus.ACCEPTED_WITH_CHANGES,
           "Retenu, mais dans la cour de l'école plutôt que sur le trottoir, pour la sécurité des enfants.")
    records = db.session.execute(db.select(ImplementationRecord).order_by(ImplementationRecord.id)).scalars().all()
    done, under_way, abandoned = records[:3]
    followup.update_record(official, done, ImplementationStatus.DONE, 100,
                           done.voted_cost - 350 if done.voted_cost else 2800, district_id=districts[3].id)
    followup.add_milestone(official, done, date(2026, 9, 14), "Travaux terminés, inauguration avec le conseil de quartier.")
    followup.update_record(official, under_way, ImplementationStatus.UNDER_WAY, 40, 9500, district_id=districts[1].id)
    for day, text in ((date(2026, 10, 2), "Étude de faisabilité validée par les services techniques."),
                      (date(2026, 11, 20), "Marché attribué ; début des travaux prévu en janvier.")):
        followup.add_milestone(official, under_way, day, text)
    follow(accounts[0], TargetType.IMPLEMENTATION, under_way.id)
    followup.update_record(official, abandoned, ImplementationStatus.ABANDONED, 10, 1200,
                           reason="Le terrain prévu appartient au département, qui a refusé de le céder ; "
                                  "le projet sera proposé à nouveau au prochain budget participatif.")


# --- Consultations (issue 15's questionnaires) -----------------------------------------------------------------

MARKET_QUESTIONS = (
    (QuestionKind.SINGLE_CHOICE, "Comment venez-vous au marché du samedi ?", True,
     ("À pied", "À vélo", "En bus", "En voiture")),
    (QuestionKind.MULTIPLE_CHOICE, "Qu'aimeriez-vous trouver de plus sur la place ?", False,
     ("Des bancs", "De l'ombre", "Des jeux pour enfants", "Des toilettes publiques")),
    (QuestionKind.SCALE, "Êtes-vous satisfait de la place du marché aujourd'hui ? (1 : pas du tout, 5 : tout à fait)",
     True, ()),
    (QuestionKind.SHORT_TEXT, "En un mot, que faudrait-il changer en premier ?", False, ()),
    (QuestionKind.LONG_TEXT, "Racontez-nous ce que la place pourrait devenir.", False, ()),
)
# (single choice, multiple choices, scale, short text, long text, whether a moderator published the texts)
MARKET_ANSWERS = (
    (1, (1, 2), 2, "De l'ombre", "Des arbres et une fontaine : on étouffe l'été.", True),
    (4, (4,), 3, "Le stationnement", "Un parking à vélos couvert et moins de voitures le samedi matin.", True),
    (2, (1, 3), 2, "Des jeux", "Un coin pour les enfants pendant que les parents font le marché.", True),
    (1, (), 4, None, None, False),
    (3, (2, 4), 1, "Des toilettes", None, True),
    (1, (1, 2, 3), 3, None, "Une halle couverte pour les jours de pluie, et des concerts le dimanche.", False),
)
# The resident helped at the counter: her answers entered by the agent, with the audit entry and its receipt code.
MARKET_AT_THE_COUNTER = (1, (1,), 4, None, None)
LIBRARY_QUESTIONS = (
    (QuestionKind.SINGLE_CHOICE, "Quel créneau d'ouverture supplémentaire préférez-vous ?", True,
     ("Le dimanche matin", "Le mardi soir", "Le samedi après-midi")),
    (QuestionKind.SCALE, "Êtes-vous satisfait des horaires actuels ? (1 : pas du tout, 5 : tout à fait)", False, ()),
    (QuestionKind.LONG_TEXT, "Que voudriez-vous trouver à la médiathèque ?", False, ()),
)
LIBRARY_TEXTS = ("Des jeux de société et un coin calme pour travailler.", None,
                 "Des ateliers pour apprendre à se servir d'une tablette.", "Plus de bandes dessinées pour les ados.")
# Each resident's slot (the single choice), in the order of the residents: the synthesis says what these give.
LIBRARY_SLOTS = (1, 2, 1, 3, 1, 1, 2, 1, 3, 1, 2, 3)


def _library_synthesis():
    """The synthesis of the seeded answers, in the words an official would write, its figures those of the data."""
    sunday = LIBRARY_SLOTS.count(1)
    return (f"{len(LIBRARY_SLOTS)} habitants ont répondu en ligne. Le dimanche matin arrive en tête des créneaux "
            f"demandés ({sunday} réponses sur {len(LIBRARY_SLOTS)}).\n\n"
            "Les réponses libres demandent des jeux de société et un coin calme pour travailler, des ateliers pour "
            "apprendre à se servir d'une tablette et plus de bandes dessinées pour les adolescents. La ville ouvrira "
            "la médiathèque le dimanche de 10 h à 13 h à partir de janvier, à titre d'essai pendant six mois.")


def _questionnaire(official, title, summary, days, free_text_use, questions):
    """A consultation: a questionnaire phase then a results phase, whose days fall at ``days`` from today.

    A questionnaire is written before its phase ends (the services refuse it after): a past one is written as if
    its days were to come, then its phases are moved back to ``days`` here, as the passing days would have."""
    first = today()
    shift = 1 - days[0][0] if days[0][1] < 0 else 0  # a past questionnaire's days, moved to start tomorrow
    rows = [PhaseRow(kind, first + timedelta(days=start + shift), first + timedelta(days=end + shift), n)
            for n, (kind, (start, end)) in enumerate(zip((PhaseKind.QUESTIONNAIRE, PhaseKind.RESULTS), days), 1)]
    process = processes.save_process(
        None, official, title=title, summary=summary, budget=None, theme_ids=[], district_ids=[], phases=rows,
        description="Répondez au questionnaire pendant sa phase, en ligne ou à un guichet ; les résultats et la "
                    "synthèse des services sont publiés ensuite.")
    processes.publish(process, official)
    questionnaire = questionnaires.create_questionnaire(
        process, official, free_text_use=free_text_use,
        introduction="Quelques minutes suffisent. Vos réponses ne sont jamais publiées avec votre nom.")
    for kind, text, required, choices in questions:
        questionnaires.save_question(questionnaire, None, official, kind=kind, text=text, hint="", required=required,
                                     choices=list(choices))
    if shift:
        for phase in process.phases:
            phase.starts_on -= timedelta(days=shift)
            phase.ends_on -= timedelta(days=shift)
        process.starts_at, process.ends_at = paris_day_bounds(process.phases[0].starts_on,
                                                              process.phases[-1].ends_on)
    db.session.flush()
    return questionnaire


def _form(questionnaire, values):
    """What the answer form posts for ``values`` (an option's position from 1, positions, a value or a text, per
    question in order; None or () for a question left empty)."""
    form = MultiDict()
    for question, value in zip(questionnaire.questions, values):
        if value is None or value == ():
            continue
        name = questionnaires.field_name(question)
        if question.kind is QuestionKind.SINGLE_CHOICE:
            form.add(name, str(question.choices[value - 1].id))
        elif question.kind is QuestionKind.MULTIPLE_CHOICE:
            for n in value:
                form.add(name, str(question.choices[n - 1].id))
        else:
            form.add(name, str(value))
    return form


def _answer(questionnaire, respondent, values, session=None):
    """One resident's response, through the answering service as the form sends it (its checks, the texts waiting
    for moderation); at a counter, marked as entered there, the audit naming the questionnaire."""
    typed, response = questionnaires.answer_questionnaire(questionnaire, respondent, _form(questionnaire, values))
    if response is None:
        raise ValueError(f"the demo's answers are refused: {typed.errors}")
    db.session.flush()
    if session is not None:
        record(session, AssistedActionKind.QUESTIONNAIRE_ANSWERED, entered=response, about=questionnaire)
    return response


def _past_answer(questionnaire, respondent, values):
    """One resident's response to a consultation whose phase is over, written here as the service writes it: the
    service refuses answers outside the phase (phases.PHASE_ACTIONS), and a past consultation cannot be answered
    during its phase when the demo is seeded today."""
    response = Response(questionnaire_id=questionnaire.id, respondent_id=respondent.id)
    pending = TextState.PENDING if questionnaire.free_text_use is FreeTextUse.PUBLISHED else None
    for question, value in zip(questionnaire.questions, values):
        if value is None:
            continue
        if question.kind is QuestionKind.SINGLE_CHOICE:
            response.answers.append(Answer(question_id=question.id, choice_id=question.choices[value - 1].id))
        elif question.kind is QuestionKind.SCALE:
            response.answers.append(Answer(question_id=question.id, scale=value))
        else:
            response.answers.append(Answer(question_id=question.id, text=value, text_state=pending))
    db.session.add(response)
    db.session.flush()
    return response


def _seed_consultations(accounts, residents):
    """A consultation whose questionnaire is open (answers online and one at a counter, texts published by a
    moderator, one waiting in the queue), and a past one whose synthesis is published."""
    agent, moderator, official = accounts[1], accounts[2], accounts[3]
    market = _questionnaire(official, "Consultation sur la place du marché",
                            "Comment voulez-vous la place du marché de demain ? Donnez votre avis.",
                            ((-7, 14), (15, 45)), FreeTextUse.PUBLISHED, MARKET_QUESTIONS)
    for resident, (*values, published) in zip(residents, MARKET_ANSWERS):
        response = _answer(market, resident, values)
        if published:
            for text in (a for a in response.answers if a.text is not None):
                moderation.decide(moderator, text, ModerationKind.PUBLISH)
    counter = db.session.execute(db.select(Counter).where(Counter.name == COUNTERS[0][0])).scalar_one()
    helped = db.session.execute(db.select(User).where(User.full_name == "Josiane Perrin")).scalar_one()
    session = open_session(agent, counter, helped, identity_check=IdentityCheck.DOCUMENT, consent=True)
    _answer(market, helped, MARKET_AT_THE_COUNTER, session=session)
    end_session(session, SessionEnd.BUTTON)
    library = _questionnaire(official, "Consultation sur les horaires de la médiathèque",
                             "Quand voulez-vous que la médiathèque soit ouverte ?", ((-90, -61), (-60, 30)),
                             FreeTextUse.PUBLISHED, LIBRARY_QUESTIONS)
    for n, (resident, slot) in enumerate(zip(residents, LIBRARY_SLOTS)):
        response = _past_answer(library, resident, (slot, n % 5 + 1, LIBRARY_TEXTS[n % len(LIBRARY_TEXTS)]))
        text = next((a for a in response.answers if a.text is not None), None)
        if text is not None:
            moderation.decide(moderator, text, ModerationKind.PUBLISH)
    save_synthesis(library, official, _library_synthesis(), publish=True)
