"""The demo dataset: two years of realistic CX data with planted signals for the pages to find.

Rows are drawn with numpy from a seeded PCG64 generator (one for the customers, one per fixed
chunk of customers), so a seed and a "today" always give the same rows, and memory stays flat
however many customers are asked for. docs/demo-data.md describes the data and its signals.
"""
from __future__ import annotations

import unicodedata
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, NamedTuple

import numpy as np
import pyarrow as pa

from cxdata import db, derive

# Fixed, not derived from the size asked for, so a seed's rows never depend on the chunking.
CHUNK_CUSTOMERS = 10_000
INTERACTIONS_PER_CUSTOMER = 50
DAY = 86_400

# The tables a demo build empties and refills; loads and rejected_rows are history and stay.
DATA_TABLES = ("customers", "interactions", "feedback", "transactions", "targets", "journey_stages",
               "channels", "touchpoints")
# A demo build replaces the data; loads and rejected_rows keep their history.
_EMPTY_DATA_TABLES = "".join(f"delete from {table};" for table in DATA_TABLES)

# ---- Planted signals (docs/demo-data.md says how to see each one) ----------------------------
DIP_MONTHS = (12, 1)            # holiday peak: more volume, slower service, lower scores
DIP_VOLUME = 1.35
DIP_SLOWER = 1.6                # first response and resolution times
DIP_MOOD = -0.45                # on the latent satisfaction scale (logits)
SLOW_DEPARTMENT = "Billing"     # resolves at ~2.4x the others' pace: misses its SLA target
SLOW_DEPARTMENT_PACE = 2.4
WARNING_SHARE = 0.8             # share of churners who show warning signs beforehand
WARNING_DAYS = 90
HIGH_EFFORT_STAGE = "onboarding"
UNANSWERED_CHANNEL = "social"    # posts whose reply would have come after 4x the usual wait get none
UNANSWERED_AFTER = 4.0

STAGES = (
    ("awareness", "The customer hears of us: ads, the website, social media."),
    ("consideration", "Comparing options: demos, pricing, talks with sales."),
    ("purchase", "Buying: checkout or signing the contract."),
    ("onboarding", "Getting started: welcome call, setup, training."),
    ("usage", "Everyday use of the product."),
    ("support", "Getting help: help center, tickets, callbacks."),
    ("renewal", "Invoices and renewing (or cancelling) the subscription."),
)
STAGE_NAMES = tuple(s for s, _ in STAGES)

SEGMENTS = ("Enterprise", "Mid-Market", "SMB", "Consumer")
SEGMENT_SHARE = (0.08, 0.17, 0.35, 0.40)
REGIONS = {
    "North America": (0.38, {"US": 0.85, "CA": 0.15}),
    "Europe": (0.30, {"GB": 0.30, "DE": 0.28, "FR": 0.20, "ES": 0.14, "PT": 0.08}),
    "LATAM": (0.20, {"BR": 0.42, "MX": 0.30, "AR": 0.14, "CO": 0.14}),
    "APAC": (0.12, {"JP": 0.30, "AU": 0.30, "IN": 0.25, "SG": 0.15}),
}
LANGUAGE_BY_COUNTRY = {"ES": "es", "MX": "es", "AR": "es", "CO": "es", "BR": "pt", "PT": "pt"}
LANGUAGES = ("en", "es", "pt")
PLANS = ("Basic", "Plus", "Premium")
PLAN_SHARE = {  # by segment
    "Enterprise": (0.0, 0.3, 0.7), "Mid-Market": (0.15, 0.5, 0.35),
    "SMB": (0.5, 0.4, 0.1), "Consumer": (0.6, 0.3, 0.1),
}
PLAN_PRICE = (0.7, 1.0, 1.5)
SEGMENT_VALUE = (180_000, 36_000, 6_000)      # median annual value of a Plus business account
CONSUMER_MONTHLY = (9.99, 19.99, 39.99)       # consumer price list per plan
SEGMENT_ACTIVITY = (2.2, 1.5, 1.0, 0.7)       # interactions relative to an SMB
SEGMENT_CHURN = (0.5, 0.75, 1.1, 1.2)         # churn hazard relative to the average
SEGMENT_MOOD = (0.15, 0.05, 0.0, -0.1)
PURCHASES_PER_QUARTER = (1.5, 1.0, 0.6, 0.4)  # add-on purchases, besides the invoices
MONTHLY_BILLING = (False, False, True, True)  # else quarterly invoices
CHURN_PER_QUARTER = 0.032                     # average hazard before the segment mix
ACCOUNT_OWNERS = {
    "North America": ("Emily Carter", "Michael Brooks", "Jessica Nguyen"),
    "Europe": ("Oliver Schmidt", "Claire Dubois", "Laura Martín"),
    "LATAM": ("João Almeida", "Valentina Gómez", "Diego Herrera"),
    "APAC": ("Kenji Tanaka", "Priya Sharma", "Liam O'Connor"),
}

CHANNELS = ("phone", "ivr", "email", "chat", "web", "app", "in_person", "social", "kiosk")
IMMEDIATE_CHANNELS = ("phone", "ivr", "chat", "in_person", "kiosk")
FIRST_RESPONSE_MEDIAN = {  # seconds until a person first answers
    "phone": 60, "ivr": 90, "email": 4 * 3600, "chat": 45, "web": 3 * 3600,
    "app": 2 * 3600, "in_person": 180, "social": 3600, "kiosk": 30,
}
DEPARTMENTS = ("Marketing", "Sales", "Product", "Support", "IT", "Billing", "Logistics")
KINDS = ("inquiry", "request", "complaint", "purchase", "cancellation")
TRANSACTION_KINDS = ("invoice", "renewal", "purchase", "refund", "failed_payment")  # docs/data-model.md
# Promised time to resolve, by kind: on an immediate channel, and on a deferred one.
SLA_SECONDS = {
    "inquiry": (3600, DAY), "request": (DAY, 3 * DAY), "complaint": (2 * DAY, 5 * DAY),
    "purchase": (4 * 3600, DAY), "cancellation": (DAY, 2 * DAY),
}
KIND_BY_STAGE = {  # inquiry, request, complaint, purchase, cancellation
    "awareness": (0.85, 0.15, 0, 0, 0),
    "consideration": (0.7, 0.3, 0, 0, 0),
    "purchase": (0.15, 0, 0.05, 0.8, 0),
    "onboarding": (0.35, 0.5, 0.15, 0, 0),
    "usage": (0.4, 0.5, 0.1, 0, 0),
    "support": (0.35, 0.35, 0.3, 0, 0),
    "renewal": (0.35, 0.15, 0.03, 0.45, 0.02),
}
# Journey stage by tenure at the interaction: first 30 days, up to 120 days, later.
STAGE_BY_TENURE = (
    (0.12, 0.18, 0.22, 0.30, 0.08, 0.08, 0.02),
    (0.02, 0.03, 0.05, 0.30, 0.30, 0.27, 0.03),
    (0.04, 0.05, 0.06, 0.03, 0.42, 0.32, 0.08),
)
# Relative volume by hour of day, and by weekday (Monday first).
HOUR_WEIGHT = (1, 0.6, 0.4, 0.4, 0.5, 1, 2, 4, 7, 9, 10, 10, 9, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2)
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.95, 0.55, 0.45)
MONTH_WEIGHT = {12: DIP_VOLUME, 1: DIP_VOLUME * 0.95, 8: 0.9, 11: 1.05}


class Touchpoint(NamedTuple):
    name: str
    weight: float                 # within its stage
    channels: dict[str, float]
    by_agent: bool                # else self-service: no response time, no SLA
    departments: dict[str, float]


TOUCHPOINTS = {
    "awareness": (
        Touchpoint("ad", 4, {"web": 5, "social": 3, "app": 2}, False, {"Marketing": 1}),
        Touchpoint("website visit", 4, {"web": 1}, False, {"Marketing": 1}),
        Touchpoint("social post", 2, {"social": 1}, False, {"Marketing": 1}),
    ),
    "consideration": (
        Touchpoint("demo", 3, {"web": 5, "in_person": 2, "phone": 3}, True, {"Sales": 8, "Product": 2}),
        Touchpoint("pricing page", 4, {"web": 1}, False, {"Marketing": 5, "Sales": 5}),
        Touchpoint("sales call", 3, {"phone": 1}, True, {"Sales": 1}),
    ),
    "purchase": (
        Touchpoint("checkout", 7, {"web": 5, "app": 3, "kiosk": 1, "in_person": 1}, False,
                   {"Sales": 6, "Billing": 4}),
        Touchpoint("contract signing", 3, {"email": 6, "in_person": 4}, True, {"Sales": 7, "Billing": 3}),
    ),
    "onboarding": (
        Touchpoint("welcome call", 3, {"phone": 1}, True, {"Support": 6, "Sales": 4}),
        Touchpoint("setup wizard", 4, {"web": 6, "app": 4}, False, {"Product": 6, "IT": 4}),
        Touchpoint("training", 3, {"in_person": 3, "web": 4, "phone": 3}, True, {"Product": 5, "Support": 5}),
    ),
    "usage": (
        Touchpoint("app session", 6, {"app": 6, "web": 4}, False, {"Product": 8, "IT": 2}),
        Touchpoint("feature request", 4, {"email": 4, "chat": 3, "web": 2, "app": 1}, True,
                   {"Product": 9, "IT": 1}),
    ),
    "support": (
        Touchpoint("help center", 3, {"web": 5, "app": 3, "chat": 2}, False, {"Support": 8, "Product": 2}),
        Touchpoint("ticket", 5, {"email": 4, "web": 2, "app": 1, "chat": 4, "social": 1}, True,
                   {"Support": 4, "Billing": 2.5, "IT": 1.5, "Logistics": 2}),
        Touchpoint("callback", 2, {"phone": 6, "ivr": 4}, True,
                   {"Support": 5, "Billing": 3.5, "Logistics": 1.5}),
    ),
    "renewal": (
        Touchpoint("renewal call", 5, {"phone": 1}, True, {"Sales": 8, "Billing": 2}),
        Touchpoint("invoice", 5, {"email": 7, "web": 3}, True, {"Billing": 1}),
    ),
}
TOUCHPOINT_LIST = tuple(tp for s in STAGE_NAMES for tp in TOUCHPOINTS[s])
TOUCHPOINT_NAMES = tuple(tp.name for tp in TOUCHPOINT_LIST)

# ---- Surveys: an ordered-logit model of a latent satisfaction -------------------------------
SURVEYS = ("nps", "csat", "ces")
SURVEY_LOW = (0, 1, 1)
# Answer shares of an average customer on an ordinary interaction (latent 0).
SURVEY_BASE = (
    (0.02, 0.01, 0.015, 0.02, 0.025, 0.04, 0.06, 0.12, 0.20, 0.22, 0.27),
    (0.04, 0.05, 0.09, 0.32, 0.50),
    (0.02, 0.03, 0.06, 0.11, 0.20, 0.28, 0.30),
)
SURVEY_OFFSET = (0.35, 0.4, 0.5)  # lifts the average back after the negative effects below
SURVEY_BY_STAGE = {  # nps, csat, ces, for feedback on an interaction
    "onboarding": (0.2, 0.3, 0.5), "support": (0.2, 0.5, 0.3), "purchase": (0.25, 0.35, 0.4),
}
SURVEY_DEFAULT = (0.45, 0.35, 0.2)
CHANNEL_MOOD = {"chat": 0.15, "ivr": -0.35, "email": -0.1, "in_person": 0.25, "kiosk": -0.1,
                "social": -0.1, "app": 0.1}
# A score's sentiment: negative up to the first bound, positive from the second.
SENTIMENT_BOUNDS = {"nps": (6, 9), "csat": (2, 4), "ces": (3, 6)}
SENTIMENTS = ("negative", "neutral", "positive")
COMMENT_RATE = (0.5, 0.25, 0.33)  # by sentiment: unhappy customers write more

TOPICS = {
    "en": {"Marketing": "the emails", "Sales": "the sales team", "Product": "the product",
           "Support": "the support team", "IT": "the app", "Billing": "the billing",
           "Logistics": "the delivery", None: "the service"},
    "es": {"Marketing": "los correos", "Sales": "el equipo de ventas", "Product": "el producto",
           "Support": "el soporte", "IT": "la aplicación", "Billing": "la facturación",
           "Logistics": "la entrega", None: "el servicio"},
    "pt": {"Marketing": "os e-mails", "Sales": "a equipe de vendas", "Product": "o produto",
           "Support": "o suporte", "IT": "o aplicativo", "Billing": "a cobrança",
           "Logistics": "a entrega", None: "o serviço"},
}
# Comment pools by language and sentiment. Three of each negative pool's templates are billing
# complaints (double charges, wrong invoices, price rises), whatever the answer's department: billing
# is the theme that drives most detractors (signal e in docs/demo-data.md).
COMMENTS = {
    "en": {
        "negative": (
            "Terrible experience with {t}. Nobody solved my problem.",
            "I waited days for an answer about {t}. Very disappointed.",
            "Worst service I've had in years.",
            "Had to call three times about {t} and it's still not fixed.",
            "I'm thinking about cancelling. Too many problems with {t}.",
            "Nobody follows up. Really frustrating.",
            "Far too many steps to get anything done with {t}.",
            "Slow, confusing and expensive.",
            "I was charged twice this month and I'm still waiting for the refund.",
            "The invoice was wrong again. Nobody could explain the fees.",
            "The price went up again without any warning. Too expensive for what I get.",
        ),
        "neutral": (
            "It was okay, but {t} could be faster.",
            "Fine overall, though it took longer than expected.",
            "The agent was friendly but I had to repeat my details.",
            "Average. Nothing special about {t}.",
            "Solved in the end, after a couple of tries.",
            "Decent, but the process with {t} is a bit confusing.",
        ),
        "positive": (
            "Excellent service, they sorted everything out quickly.",
            "Great experience, thank you!",
            "Very happy with {t}. Fast and friendly.",
            "I love how easy it was.",
            "Quick answer and problem solved on the first contact.",
            "Great support, I would recommend you to anyone.",
            "Everything worked perfectly with {t}.",
        ),
    },
    "es": {
        "negative": (
            "Pésima experiencia con {t}. Nadie resolvió mi problema.",
            "Esperé días una respuesta sobre {t}. Muy decepcionado.",
            "El peor servicio que he tenido en años.",
            "Tuve que llamar tres veces por {t} y sigue sin solución.",
            "Estoy pensando en cancelar. Demasiados problemas con {t}.",
            "Nadie hace seguimiento. Qué frustración.",
            "Horrible atención, me colgaron dos veces.",
            "Demasiados pasos para hacer cualquier cosa con {t}.",
            "Me cobraron dos veces este mes y sigo esperando el reembolso.",
            "La factura vino mal otra vez y nadie supo explicarme los cargos.",
            "Subieron el precio otra vez sin avisar. Demasiado caro para lo que ofrecen.",
        ),
        "neutral": (
            "Estuvo bien, pero la atención sobre {t} podría ser más rápida.",
            "En general correcto, aunque tardó más de lo esperado.",
            "El agente fue amable, pero tuve que repetir mis datos.",
            "Normal. Nada especial con {t}.",
            "Se resolvió al final, después de un par de intentos.",
            "Aceptable, aunque el proceso con {t} es un poco confuso.",
        ),
        "positive": (
            "Excelente servicio, resolvieron todo rapidísimo.",
            "¡Muy buena experiencia, gracias!",
            "Muy contento con {t}. Rápido y amable.",
            "Me encantó lo fácil que fue.",
            "Respuesta rápida y problema resuelto al primer contacto.",
            "Gran atención, los recomiendo a todo el mundo.",
            "Todo funcionó perfecto con {t}.",
            "La compañía siempre cumple. ¡Enhorabuena al equipo!",
        ),
    },
    "pt": {
        "negative": (
            "Péssima experiência com {t}. Ninguém resolveu meu problema.",
            "Esperei dias por uma resposta sobre {t}. Muito decepcionado.",
            "O pior atendimento que já tive.",
            "Liguei três vezes e o problema com {t} ainda não foi resolvido.",
            "Estou pensando em cancelar. Problemas demais com {t}.",
            "Ninguém dá retorno. Que frustração.",
            "Atendimento horrível, a ligação caiu duas vezes.",
            "Passos demais para fazer qualquer coisa com {t}.",
            "Me cobraram duas vezes este mês e ainda estou esperando o estorno.",
            "A fatura veio errada de novo e ninguém soube explicar as cobranças.",
            "Aumentaram o preço de novo sem avisar. Caro demais pelo que oferecem.",
        ),
        "neutral": (
            "Foi razoável, mas o atendimento sobre {t} poderia ser mais rápido.",
            "No geral correto, embora tenha demorado mais que o esperado.",
            "O atendente foi simpático, mas tive que repetir meus dados.",
            "Normal. Nada de especial com {t}.",
            "Resolveram no fim, depois de algumas tentativas.",
            "Aceitável, mas o processo com {t} é um pouco confuso.",
        ),
        "positive": (
            "Excelente atendimento, resolveram tudo rapidinho.",
            "Ótima experiência, obrigado!",
            "Muito satisfeito com {t}. Rápido e simpático.",
            "Adorei como foi fácil.",
            "Resposta rápida e problema resolvido no primeiro contato.",
            "Ótimo atendimento, recomendo a todos.",
            "Tudo funcionou perfeitamente com {t}.",
            "Parabéns pela atenção e pela solução, nota dez!",
        ),
    },
}

# Quarterly targets, named as cxdata.metrics names the KPIs: company-wide (department null) and
# per department. churn_rate is a company-wide quarterly % of the customers active at the start;
# csat and sla_compliance are %; first_response_live and _written are medians in seconds (live
# channels answer in about a minute, written ones in 1-4 hours: FIRST_RESPONSE_MEDIAN).
TARGETS = {"nps": 30.0, "csat": 80.0, "ces": 5.5, "sla_compliance": 90.0,
           "first_response_live": 120.0, "first_response_written": 4 * 3600.0,
           # the scorecards' service targets: first-contact resolution and escalations in %, resolution in seconds
           "first_contact_resolution": 90.0, "escalation_rate": 8.0, "resolution_time": 12 * 3600.0}
COMPANY_TARGETS = {**TARGETS, "churn_rate": 5.0}
# Departments whose written contacts are mostly e-mail, the slowest written channel, get more time.
FIRST_RESPONSE_WRITTEN_TARGET = {"Billing": 5 * 3600.0, "IT": 5 * 3600.0, "Product": 5 * 3600.0}

FIRST_NAMES = {
    "en": ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "David", "Linda", "Sarah",
           "Thomas", "Emma", "Oliver", "Sophie", "Daniel", "Grace", "Lucas", "Hannah", "Noah"),
    "es": ("Sofía", "Mateo", "Lucía", "Santiago", "Valentina", "Sebastián", "Camila", "Martín",
           "María José", "Alejandro", "Isabella", "Nicolás", "Daniela", "Andrés"),
    "pt": ("João", "Ana", "Gabriel", "Beatriz", "Lucas", "Mariana", "Pedro", "Júlia", "Rafael",
           "Letícia", "Tiago", "Inês", "Gonçalo", "Larissa"),
}
LAST_NAMES = {
    "en": ("Smith", "Johnson", "Brown", "Taylor", "Wilson", "Müller", "Martin", "Tanaka",
           "Patel", "Lee", "Walker", "Schneider", "Dubois", "Kumar", "Sato", "Clarke", "Evans"),
    "es": ("García", "Rodríguez", "Martínez", "López", "González", "Pérez", "Sánchez", "Ramírez",
           "Torres", "Núñez", "Ortega", "Castaño", "Peña"),
    "pt": ("Silva", "Santos", "Oliveira", "Souza", "Pereira", "Costa", "Ferreira", "Rodrigues",
           "Gonçalves", "Araújo", "Conceição", "Simões"),
}
COMPANY_WORDS = (
    ("Northwind", "Blue Harbor", "Summit", "Vertex", "Lumen", "Atlas", "Cedar", "Pioneer",
     "Silverline", "Orbit", "Granite", "Brightpath", "Polaris", "Redwood", "Nimbus", "Keystone"),
    ("Logistics", "Health", "Foods", "Systems", "Retail", "Energy", "Labs", "Partners",
     "Manufacturing", "Media", "Finance", "Travel", "Analytics", "Motors", "Pharma", "Studios"),
)
LEGAL_SUFFIX = {
    "US": "Inc.", "CA": "Ltd.", "GB": "Ltd", "DE": "GmbH", "FR": "SAS", "ES": "S.L.", "PT": "Lda.",
    "BR": "Ltda.", "MX": "S.A. de C.V.", "AR": "S.A.", "CO": "S.A.S.", "JP": "K.K.",
    "AU": "Pty Ltd", "IN": "Pvt Ltd", "SG": "Pte Ltd",
}
COUNTRIES = tuple(c for _, (_, cs) in REGIONS.items() for c in cs)


def build_demo(path: Path | str | None = None, customers: int = 5000, seed: int = 7,
               months: int = 24, today: date | str | None = None,
               progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Replace the data in the database with a demo of `customers` customers over `months`
    months ending at `today` (default: the current date); return row counts per table.

    Written through derive.writable_copy, so it is atomic and works while the app reads. PROGRESS is
    told each stage as it starts.
    """
    progress = progress or (lambda stage: None)
    if customers < 1 or months < 1:
        raise ValueError("customers and months must be at least 1")
    today = today or date.today()
    if isinstance(today, str):
        today = date.fromisoformat(today)
    if isinstance(today, datetime):
        today = today.date()
    started = datetime.now()
    win = _window(today, months)
    people = _customers(customers, win, np.random.Generator(np.random.PCG64(seed)))
    scale = _interaction_scale(people, win)

    progress(f"generating {customers:,} customers' data")
    with derive.writable_copy(path, progress=progress) as con:
        con.execute(_EMPTY_DATA_TABLES)
        _insert(con, "journey_stages", _INSERT_STAGES, pa.table({
            "stage": list(STAGE_NAMES), "position": list(range(1, len(STAGES) + 1)),
            "description": [d for _, d in STAGES]}))
        _insert(con, "customers", _INSERT_CUSTOMERS, _customer_table(people, win))
        next_id = {"interaction": 0, "feedback": 0, "transaction": 0}
        for k, lo in enumerate(range(0, customers, CHUNK_CUSTOMERS)):
            rng = np.random.Generator(np.random.PCG64([seed, k + 1]))
            chunk = {key: v[lo:lo + CHUNK_CUSTOMERS] for key, v in people.items()}
            inter = _interactions(chunk, win, rng, scale)
            inter["n"] = _number(next_id, "interaction", inter)
            fb = _feedback(chunk, inter, win, rng)
            fb["n"] = _number(next_id, "feedback", fb)
            _plant_initiative_effect(chunk, inter, fb, win, np.random.Generator(np.random.PCG64([seed, k + 1, PLANT_STREAM])))
            tx = _transactions(chunk, win, rng)
            tx["n"] = _number(next_id, "transaction", tx)
            for name, rows, sql in (("interaction", inter, _INSERT_INTERACTIONS),
                                    ("feedback", fb, _INSERT_FEEDBACK),
                                    ("transaction", tx, _INSERT_TRANSACTIONS)):
                rows["cust_id"] = chunk["cust"]
                _insert(con, name, sql, _arrow(rows, _COLUMNS[name]), {"start": win.start_ts})
        _insert(con, "targets", _INSERT_TARGETS, _targets(win))
        _insert_initiatives(con, today)
        con.execute(_INSERT_HISTORY)
        dataset = f"demo-{uuid.uuid4().hex[:12]}"
        con.execute(_INSERT_DATASET, {"dataset_id": dataset, "created_at": started})
        _insert(con, "channels", "insert into channels select * from {view}", pa.table({
            "channel": list(CHANNELS),
            "response_mode": ["immediate" if ch in IMMEDIATE_CHANNELS else "deferred" for ch in CHANNELS]}))
        _insert(con, "touchpoints", "insert into touchpoints (touchpoint, is_self_service) select * from {view}",
                pa.table({
            "touchpoint": [tp.name for tp in TOUCHPOINT_LIST],
            "is_self_service": [not tp.by_agent for tp in TOUCHPOINT_LIST]}))

        stats = db.run(con, "table_stats")
        counts = dict(zip(stats["table_name"], stats["n_rows"].astype(int)))
        counts = {t: counts[t] for t in DATA_TABLES}
        total = sum(counts.values())
        load_id = uuid.uuid4().hex
        con.execute(_INSERT_LOAD,
            {"id": load_id, "started": started, "finished": datetime.now(), "n": total,
             "message": f"demo data: customers={customers}, seed={seed}, months={months}, "
                        f"today={today.isoformat()}"})
        con.execute(_INSERT_PROVIDED, {"load_id": load_id, "first_month": win.start.replace(day=1)})
    progress("writing past churn alerts and follow-up cases")
    counts["churn_alert_history"] = _import_alert_history(path, dataset, people, win, seed)
    counts["followup_case_history"] = _import_followup_history(path, win, seed)
    return counts


# ---- Calendar ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Window:
    start: date            # first day
    n_days: int            # the window ends (exclusive) at today 00:00, so nothing is in the future
    month: np.ndarray      # month of each day
    cum: np.ndarray        # cumulative daily volume weight, n_days + 1 long

    @property
    def start_ts(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day)

    @property
    def end_s(self) -> int:
        return self.n_days * DAY


def _window(today: date, months: int) -> _Window:
    """From the first day of the month `months` back to yesterday: whole months from the start, so
    a two-year demo covers the base year of revenue retention's newest as-of month."""
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    start = date(y, m + 1, 1)
    days = np.arange(np.datetime64(start), np.datetime64(today))
    month = days.astype("datetime64[M]").astype(int) % 12 + 1
    weekday = (days.astype(int) + 3) % 7  # 1970-01-01 was a Thursday
    by_month = np.array([MONTH_WEIGHT.get(m, 1.0) for m in range(13)])
    weight = np.array(WEEKDAY_WEIGHT)[weekday] * by_month[month]
    return _Window(start, len(days), month, np.concatenate([[0.0], np.cumsum(weight)]))


# ---- Customers ---------------------------------------------------------------------------------

def _customers(n: int, win: _Window, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Customer attributes, plus hidden traits (mood, activity, warning) the rest depends on."""
    seg = rng.choice(len(SEGMENTS), size=n, p=SEGMENT_SHARE)
    region_names = list(REGIONS)
    region = rng.choice(len(REGIONS), size=n, p=[REGIONS[r][0] for r in region_names])
    country = np.zeros(n, dtype=np.int64)
    for r, name in enumerate(region_names):
        rows = np.flatnonzero(region == r)
        shares = REGIONS[name][1]
        codes = [COUNTRIES.index(c) for c in shares]
        country[rows] = np.array(codes)[rng.choice(len(codes), size=rows.size, p=list(shares.values()))]
    plan = np.zeros(n, dtype=np.int64)
    for s, name in enumerate(SEGMENTS):
        rows = np.flatnonzero(seg == s)
        plan[rows] = rng.choice(len(PLANS), size=rows.size, p=PLAN_SHARE[name])
    value = np.where(
        seg == 3,
        np.array(CONSUMER_MONTHLY)[plan] * 12,
        np.round(np.array(SEGMENT_VALUE + (0,))[seg] * np.array(PLAN_PRICE)[plan]
                 * rng.lognormal(0, 0.35, n), -2))
    owner = region * 3 + rng.integers(0, 3, n)

    # A base of customers from before the window, then signups spread over it (growing a little).
    existing = rng.random(n) < 0.55
    signup_day = np.where(existing, -rng.integers(30, 5 * 365, n),
                          np.floor(win.n_days * rng.random(n) ** 0.9)).astype(np.int64)
    mood = rng.normal(0, 0.7, n) + np.array(SEGMENT_MOOD)[seg]
    hazard = (-np.log(1 - CHURN_PER_QUARTER) / 91.3 * np.array(SEGMENT_CHURN)[seg]
              * np.array((1.25, 0.95, 0.8))[plan] * np.exp(-0.6 * mood))
    churn_day = np.maximum(signup_day + 30, 0) + np.ceil(rng.exponential(1 / hazard)).astype(np.int64)
    churned = churn_day < win.n_days
    churn_day = np.where(churned, churn_day, np.iinfo(np.int32).max)
    return {
        "cust": np.arange(1, n + 1), "segment": seg, "region": region, "country": country,
        "language": np.array([LANGUAGES.index(LANGUAGE_BY_COUNTRY.get(c, "en")) for c in COUNTRIES])[country],
        "plan": plan, "value": value, "owner": owner, "signup_day": signup_day,
        "churn_day": churn_day, "churned": churned,
        "warning": churned & (rng.random(n) < WARNING_SHARE),
        "downgrades": rng.random(n) < 0.5,
        "mood": mood, "activity": np.array(SEGMENT_ACTIVITY)[seg] * rng.gamma(2.0, 0.5, n),
        "name_a": rng.integers(0, 1000, n), "name_b": rng.integers(0, 1000, n),
    }


def _customer_table(c: dict[str, np.ndarray], win: _Window) -> pa.Table:
    lang = c["language"]
    first = np.empty(len(lang), dtype=object)
    last = np.empty(len(lang), dtype=object)
    for i, code in enumerate(LANGUAGES):
        rows = lang == i
        first[rows] = np.array(FIRST_NAMES[code], dtype=object)[c["name_a"][rows] % len(FIRST_NAMES[code])]
        last[rows] = np.array(LAST_NAMES[code], dtype=object)[c["name_b"][rows] % len(LAST_NAMES[code])]
    w1, w2 = (np.array(w, dtype=object) for w in COMPANY_WORDS)
    suffix = np.array([LEGAL_SUFFIX[c] for c in COUNTRIES], dtype=object)[c["country"]]
    company = w1[c["name_a"] % len(w1)] + " " + w2[c["name_b"] % len(w2)] + " " + suffix
    name = np.where(c["segment"] == 3, first + " " + last, company)
    start = np.datetime64(win.start)
    owners = [o for r in REGIONS for o in ACCOUNT_OWNERS[r]]
    return pa.table({
        "n": c["cust"], "name": pa.array(name, type=pa.string()),
        "segment": _dict(c["segment"], SEGMENTS), "region": _dict(c["region"], tuple(REGIONS)),
        "country": _dict(c["country"], COUNTRIES), "plan": _dict(c["plan"], PLANS),
        "signup_on": start + c["signup_day"].astype("timedelta64[D]"),
        "annual_value": np.round(c["value"], 2), "account_owner": _dict(c["owner"], owners),
        "churned_on": pa.array(start + np.minimum(c["churn_day"], win.n_days).astype("timedelta64[D]"),
                               mask=~c["churned"]),
    })


def _interaction_scale(c: dict[str, np.ndarray], win: _Window) -> float:
    """Interactions per unit of (activity x volume weight), so the total averages 50 a customer."""
    a, b = _active_span(c, win)
    exposure = (c["activity"] * (win.cum[b] - win.cum[a])).sum()
    extra = c["warning"].sum() * (_EXTRA_COMPLAINTS + _CANCEL_CALL)
    return max(INTERACTIONS_PER_CUSTOMER * len(a) - extra, 0) / max(exposure, 1e-9)


def _active_span(c: dict[str, np.ndarray], win: _Window) -> tuple[np.ndarray, np.ndarray]:
    """First and last+1 day of activity inside the window (empty when b <= a)."""
    a = np.clip(c["signup_day"], 0, win.n_days)
    b = np.maximum(np.minimum(c["churn_day"], win.n_days), a)
    return a, b


# ---- Interactions ------------------------------------------------------------------------------

_EXTRA_COMPLAINTS = 2.5   # extra contacts a warning churner makes in the 90 days before leaving
_CANCEL_CALL = 0.7        # chance a warning churner calls to cancel in its last 14 days


def _interactions(c: dict[str, np.ndarray], win: _Window, rng: np.random.Generator,
                  scale: float) -> dict[str, np.ndarray]:
    a, b = _active_span(c, win)
    counts = rng.poisson(scale * c["activity"] * (win.cum[b] - win.cum[a]))
    ci = np.repeat(np.arange(len(a)), counts)
    target = win.cum[a[ci]] + rng.random(ci.size) * (win.cum[b[ci]] - win.cum[a[ci]])
    day = np.clip(np.searchsorted(win.cum, target, side="right") - 1, a[ci], b[ci] - 1)
    origin = np.zeros(ci.size, dtype=np.int8)  # 0 ordinary, 1 pre-churn contact, 2 cancellation

    # Warning churners get in touch more before they leave, and often call to cancel.
    warn = np.flatnonzero(c["warning"] & (b > a))
    n_extra = rng.poisson(_EXTRA_COMPLAINTS, warn.size)
    e_ci = np.repeat(warn, n_extra)
    e_lo = np.maximum(b[e_ci] - WARNING_DAYS, a[e_ci])
    e_day = e_lo + np.floor(rng.random(e_ci.size) * (b[e_ci] - e_lo)).astype(np.int64)
    cancel = warn[rng.random(warn.size) < _CANCEL_CALL]
    x_lo = np.maximum(b[cancel] - 14, a[cancel])
    x_day = x_lo + np.floor(rng.random(cancel.size) * (b[cancel] - x_lo)).astype(np.int64)
    ci = np.concatenate([ci, e_ci, cancel])
    day = np.concatenate([day, e_day, x_day])
    origin = np.concatenate([origin, np.ones(e_ci.size, np.int8), np.full(cancel.size, 2, np.int8)])
    n = ci.size

    start_s = day * DAY + _time_of_day(rng, n)
    order = np.argsort(start_s, kind="stable")
    ci, day, origin, start_s = ci[order], day[order], origin[order], start_s[order]
    to_churn = c["churn_day"][ci] - day
    pre = c["warning"][ci] & (to_churn <= WARNING_DAYS)
    dip = np.isin(win.month[day], DIP_MONTHS)

    # Journey stage by tenure; the pre-churn contacts are mostly support, the cancellations renewal.
    tenure = day - c["signup_day"][ci]
    band = np.where(tenure < 30, 0, np.where(tenure < 120, 1, 2))
    stage = _draw_rows(rng, np.array(STAGE_BY_TENURE)[band])
    s_support, s_renewal = STAGE_NAMES.index("support"), STAGE_NAMES.index("renewal")
    stage[origin == 1] = np.where(rng.random((origin == 1).sum()) < 0.85, s_support, s_renewal)
    stage[origin == 2] = s_renewal

    touch = np.zeros(n, dtype=np.int64)
    for s, name in enumerate(STAGE_NAMES):
        rows = np.flatnonzero(stage == s)
        tps = TOUCHPOINTS[name]
        weights = np.array([tp.weight if (tp.by_agent or s not in (s_support, s_renewal)) else 0
                            for tp in tps], dtype=float)
        first = TOUCHPOINT_NAMES.index(tps[0].name)
        # ordinary rows use every touchpoint; pre-churn contacts and cancellations reach a person
        plain = rows[origin[rows] == 0]
        touch[plain] = first + _draw(rng, [tp.weight for tp in tps], plain.size)
        special = rows[origin[rows] > 0]
        touch[special] = first + _draw(rng, weights, special.size)
    cancel_rows = origin == 2
    touch[cancel_rows] = TOUCHPOINT_NAMES.index("renewal call")

    channel = np.zeros(n, dtype=np.int64)
    dept = np.zeros(n, dtype=np.int64)
    for t, tp in enumerate(TOUCHPOINT_LIST):
        rows = np.flatnonzero(touch == t)
        channel[rows] = np.array([CHANNELS.index(ch) for ch in tp.channels])[
            _draw(rng, list(tp.channels.values()), rows.size)]
        dept[rows] = np.array([DEPARTMENTS.index(d) for d in tp.departments])[
            _draw(rng, list(tp.departments.values()), rows.size)]
    dept[cancel_rows] = DEPARTMENTS.index("Sales")
    by_agent = np.array([tp.by_agent for tp in TOUCHPOINT_LIST])[touch]

    kind = _draw_rows(rng, np.array([KIND_BY_STAGE[s] for s in STAGE_NAMES])[stage])
    k_inquiry, k_complaint = KINDS.index("inquiry"), KINDS.index("complaint")
    kind[~by_agent & np.isin(kind, (k_complaint, KINDS.index("cancellation")))] = k_inquiry
    angry = by_agent & pre & (rng.random(n) < 0.3)
    kind[angry] = k_complaint
    kind[origin == 1] = np.array((k_complaint, k_inquiry, KINDS.index("request")))[
        _draw(rng, (0.7, 0.2, 0.1), (origin == 1).sum())]
    kind[cancel_rows] = KINDS.index("cancellation")

    slow_dept = dept == DEPARTMENTS.index(SLOW_DEPARTMENT)
    escalated = by_agent & (
        rng.random(n) < 0.03 + 0.12 * (kind == k_complaint) + 0.08 * pre + 0.04 * slow_dept)
    immediate = np.isin(channel, [CHANNELS.index(ch) for ch in IMMEDIATE_CHANNELS])
    front = np.where(by_agent,
                     np.where(immediate, ~escalated, (kind == k_inquiry) & (rng.random(n) < 0.5)),
                     True)

    # First response and resolution only for contacts a person handles; self-service has neither.
    slower = np.where(dip, DIP_SLOWER, 1.0)
    fr_median = np.array([FIRST_RESPONSE_MEDIAN[ch] for ch in CHANNELS])[channel]
    first_response = np.maximum(1, np.round(
        fr_median * slower * np.where(slow_dept, 1.25, 1.0) * rng.lognormal(0, 0.8, n)))
    sla = np.array([SLA_SECONDS[k] for k in KINDS], dtype=float)[kind, np.where(immediate, 0, 1)]
    pace = (0.2 * slower * np.where(slow_dept, SLOW_DEPARTMENT_PACE, 1.0) * np.where(pre, 1.8, 1.0)
            * np.where(escalated, 2.0, 1.0))
    to_resolve = np.maximum(np.round(sla * pace * rng.lognormal(0, 0.95, n)), first_response + 60)
    self_service_minutes = np.round(rng.lognormal(np.log(240), 0.8, n))
    resolved_s = start_s + np.where(by_agent, to_resolve, self_service_minutes)
    is_open = (resolved_s > win.end_s) | (by_agent & (rng.random(n) < 0.0005))  # a few stuck for good
    unanswered = (channel == CHANNELS.index(UNANSWERED_CHANNEL)) & (first_response > UNANSWERED_AFTER * fr_median)
    return {
        "cust": ci, "start_s": start_s, "day": day, "channel": channel, "stage": stage,
        "touch": touch, "dept": dept, "kind": kind, "front": front,
        "first_response": np.where(by_agent & ~unanswered, first_response, np.nan), "resolved_s": resolved_s,
        "is_open": is_open, "escalated": escalated, "sla": np.where(by_agent, sla, np.nan),
        "by_agent": by_agent, "pre": pre, "dip": dip,
    }


def _time_of_day(rng: np.random.Generator, n: int) -> np.ndarray:
    hour = _draw(rng, HOUR_WEIGHT, n)
    return hour * 3600 + rng.integers(0, 3600, n)


# ---- Feedback ----------------------------------------------------------------------------------

def _feedback(c: dict[str, np.ndarray], it: dict[str, np.ndarray], win: _Window,
              rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Surveys after interactions (most), plus relationship NPS surveys not tied to one."""
    kind = it["kind"]
    p = np.where(it["by_agent"], 0.18, 0.07) * np.where(kind == KINDS.index("complaint"), 1.3, 1.0)
    on = np.flatnonzero(rng.random(kind.size) < p)
    stage = it["stage"][on]
    mix = np.array([SURVEY_BY_STAGE.get(s, SURVEY_DEFAULT) for s in STAGE_NAMES])
    survey = _draw_rows(rng, mix[stage])
    deadline = it["start_s"][on] + it["sla"][on]
    late = it["by_agent"][on] & (it["is_open"][on] | (it["resolved_s"][on] > deadline))
    after = np.where(it["is_open"][on], it["start_s"][on], it["resolved_s"][on])
    submitted = after + 60 + np.round(rng.exponential(6 * 3600, on.size))
    effect = (
        np.where(it["dip"][on], DIP_MOOD, 0.0)
        - 0.7 * late - 0.3 * it["escalated"][on]
        - 0.5 * (kind[on] == KINDS.index("complaint")) - 1.0 * (kind[on] == KINDS.index("cancellation"))
        + np.array([CHANNEL_MOOD.get(ch, 0.0) for ch in CHANNELS])[it["channel"][on]]
        - 0.15 * (it["dept"][on] == DEPARTMENTS.index(SLOW_DEPARTMENT))
        + np.where(stage == STAGE_NAMES.index(HIGH_EFFORT_STAGE),
                   np.array((-0.2, -0.3, -1.3))[survey], 0.0)
    )
    linked = {
        "cust": it["cust"][on], "interaction": it["n"][on], "submitted_s": submitted,
        "survey": survey, "effect": effect, "stage": stage, "touch": it["touch"][on], "dept": it["dept"][on],
    }

    # Relationship NPS: about one answer per customer a year, spread over the active span.
    a, b = _active_span(c, win)
    counts = rng.poisson((b - a) / 365.25 * 1.1)
    ci = np.repeat(np.arange(len(a)), counts)
    day = a[ci] + np.floor(rng.random(ci.size) * (b[ci] - a[ci])).astype(np.int64)
    r_sub = day * DAY + _time_of_day(rng, ci.size)
    none = np.full(ci.size, -1)
    relation = {
        "cust": ci, "interaction": none, "submitted_s": r_sub, "survey": np.zeros(ci.size, np.int64),
        "effect": np.where(np.isin(win.month[day], DIP_MONTHS), DIP_MOOD, 0.0),
        "stage": none, "touch": none, "dept": none,
    }
    fb = {k: np.concatenate([linked[k], relation[k]]) for k in linked}

    # Nothing after the window ends or after the customer left.
    keep = (fb["submitted_s"] < win.end_s) & (fb["submitted_s"] < c["churn_day"][fb["cust"]] * DAY)
    fb = {k: v[keep] for k, v in fb.items()}
    order = np.argsort(fb["submitted_s"], kind="stable")
    fb = {k: v[order] for k, v in fb.items()}

    # Warning churners turn sour in their last 90 days, a little already in the 90 before.
    to_churn = c["churn_day"][fb["cust"]] - fb["submitted_s"] // DAY
    warn = c["warning"][fb["cust"]]
    latent = (c["mood"][fb["cust"]] + fb["effect"] + np.array(SURVEY_OFFSET)[fb["survey"]]
              - 1.1 * (warn & (to_churn <= WARNING_DAYS))
              - 0.4 * (warn & (to_churn > WARNING_DAYS) & (to_churn <= 2 * WARNING_DAYS))
              + rng.logistic(0, 1, to_churn.size))
    score = np.zeros(latent.size, dtype=np.int16)
    for s, base in enumerate(SURVEY_BASE):
        rows = fb["survey"] == s
        cum = np.cumsum(base)[:-1]
        cuts = np.log(cum / (1 - cum))
        score[rows] = SURVEY_LOW[s] + np.searchsorted(cuts, latent[rows])
    fb["score"] = score
    fb["comment"] = _comments(rng, fb["survey"], score, c["language"][fb["cust"]], fb["dept"])
    return fb


def _comments(rng: np.random.Generator, survey: np.ndarray, score: np.ndarray,
              language: np.ndarray, dept: np.ndarray) -> np.ndarray:
    """A comment on about a third of the answers, in the customer's language, matching the score."""
    bounds = np.array([SENTIMENT_BOUNDS[s] for s in SURVEYS])[survey]
    mood = np.where(score <= bounds[:, 0], 0, np.where(score >= bounds[:, 1], 2, 1))
    writes = rng.random(score.size) < np.array(COMMENT_RATE)[mood]
    pick = rng.random(score.size)
    out = np.full(score.size, None, dtype=object)
    topics = list(DEPARTMENTS) + [None]
    for li, lang in enumerate(LANGUAGES):
        for si, feel in enumerate(SENTIMENTS):
            templates = COMMENTS[lang][feel]
            # every (template, topic) pair, indexed [template, department or -1 for none]
            texts = np.array([[t.format(t=TOPICS[lang][d]) for d in topics] for t in templates], dtype=object)
            rows = np.flatnonzero(writes & (language == li) & (mood == si))
            out[rows] = texts[(pick[rows] * len(templates)).astype(np.int64), dept[rows]]
    return out


# ---- Transactions ------------------------------------------------------------------------------

def _transactions(c: dict[str, np.ndarray], win: _Window, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Subscription invoices, add-on purchases and a few refunds; purchases fade before churn."""
    a, b = _active_span(c, win)
    s = c["signup_day"]
    period = np.where(np.array(MONTHLY_BILLING)[c["segment"]], 365.25 / 12, 365.25 / 4)
    k0 = np.ceil((a - s) / period).astype(np.int64)
    k1 = np.ceil((b - s) / period).astype(np.int64)
    ci, pos = _ragged(np.maximum(k1 - k0, 0))
    inv_day = np.floor(s[ci] + (k0[ci] + pos) * period[ci]).astype(np.int64)
    inv_day = np.clip(inv_day, a[ci], b[ci] - 1)
    inv_amount = c["value"][ci] * period[ci] / 365.25
    to_churn = c["churn_day"][ci] - inv_day
    warn = c["warning"][ci]
    downgraded = warn & c["downgrades"][ci] & (to_churn <= WARNING_DAYS)
    inv_amount = np.where(downgraded, inv_amount * 0.6, inv_amount)
    inv_paid = ~(warn & (to_churn <= 60) & (rng.random(ci.size) < 0.35))  # else a failed payment
    per_year = np.round(365.25 / period[ci]).astype(np.int64)
    is_renewal = ((k0[ci] + pos) % per_year == 0) & (k0[ci] + pos > 0)  # each contract anniversary
    inv_kind = np.where(inv_paid, np.where(is_renewal, 1, 0), 4)
    inv_s = inv_day * DAY + 2 * 3600 + rng.integers(0, 2 * 3600, ci.size)  # nightly billing run

    rate = np.array(PURCHASES_PER_QUARTER)[c["segment"]] * np.sqrt(c["activity"])
    counts = rng.poisson(rate / 91.3 * (b - a))
    pi = np.repeat(np.arange(len(a)), counts)
    p_day = a[pi] + np.floor(rng.random(pi.size) * (b[pi] - a[pi])).astype(np.int64)
    p_to_churn = c["churn_day"][pi] - p_day
    fade = np.where(p_to_churn <= WARNING_DAYS, 0.25, np.where(p_to_churn <= 2 * WARNING_DAYS, 0.6, 1.0))
    p_keep = ~c["warning"][pi] | (rng.random(pi.size) < fade)
    pi, p_day = pi[p_keep], p_day[p_keep]
    p_s = p_day * DAY + _time_of_day(rng, pi.size)
    p_amount = np.maximum(5.0, c["value"][pi] * rng.lognormal(np.log(0.06), 0.6, pi.size))

    refund = rng.random(pi.size) < 0.03
    r_s = p_s[refund] + rng.integers(3 * DAY, 30 * DAY, refund.sum())
    cust = np.concatenate([ci, pi, pi[refund]])
    when = np.concatenate([inv_s, p_s, r_s])
    # a failed payment is recorded with nothing received, so revenue sums stay what was paid
    amount = np.round(np.concatenate([np.where(inv_paid, inv_amount, 0.0), p_amount, -p_amount[refund]]), 2)
    kind = np.concatenate([inv_kind, np.full(pi.size, 2), np.full(int(refund.sum()), 3)])
    keep = (when < win.end_s) & (when < c["churn_day"][cust] * DAY)
    order = np.argsort(when[keep], kind="stable")
    return {"cust": cust[keep][order], "when_s": when[keep][order], "amount": amount[keep][order],
            "kind": kind[keep][order]}


# ---- Churn alerts' past follow-up (the store beside the database) ------------------------------

ALERT_HISTORY_STREAM = 0xA1E27  # its own random stream: the data's rows never depend on it
ALERT_HISTORY_SHARE = 0.004     # customers lost with an alert worked before they left (20 of 5,000)
ALERT_HISTORY_MIN_DAYS = 180    # a shorter window has no past old enough to have been worked and judged
LOST_RULES = (["cancellation_contact"], ["score"], ["failed_payment"], ["cancellation_contact", "score"])
SAVED_RULES = (["score"], ["detractor_open_complaint"], ["failed_payment"], ["detractor_open_complaint", "score"])
PLAN_NOTES = ("Call booked with the decision maker", "Retention offer sent: two months free at renewal",
              "Billing issue escalated to the finance team", "Service review scheduled with support lead")
SAVED_NOTES = ("Renewed after the service review", "Complaint resolved and a month credited; staying",
               "Payment fixed with a new card; thanked us for the call", "Moved to a plan that fits their use")
LOST_NOTES = ("Left for a competitor despite the offer", "Cancelled at the end of the contract",
              "No answer to calls or e-mails before they cancelled", "Budget cut: closed the account")


def _import_alert_history(path: Path | str | None, dataset: str, c: dict[str, np.ndarray], win: _Window,
                          seed: int) -> int:
    """Write a past of worked churn alerts into the store beside the database, so the churn page's
    outcomes (average days to close, saved and kept) have figures: customers who really left, their
    alert closed as lost; customers who stayed, closed as saved, plus a few saved who left anyway.
    Every alert is closed, and none is of a customer alerted today, so the current list starts new.
    Drawn from its own random stream, so the data's rows are the same with or without it."""
    from cxdata.churn import alerts  # the demo's store records are churn alerts; imported when built
    from cxdata.filters import Filters
    from cxdata.store import Store

    if win.n_days < ALERT_HISTORY_MIN_DAYS:
        return 0
    path = Path(path or db.db_path())
    con = db.connect_readonly(path)
    try:
        newest = win.start + (np.timedelta64(win.n_days - 1, "D")).astype(object)
        alerted = set(db.Reader(con).run("churn_alert_ids", alerts.Rules().params(Filters(newest, newest)))[
            "customer_id"])
    finally:
        con.close()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(ALERT_HISTORY_STREAM,))))
    end, signup, churn_day = win.n_days, c["signup_day"], c["churn_day"]
    ids = np.array([f"C{n:07d}" for n in c["cust"]])
    free = ~np.isin(ids, list(alerted))
    lost_pool = np.flatnonzero(c["warning"] & (churn_day >= max(60, end - 400)) & (churn_day <= end - 15)
                               & (signup < churn_day - 120))
    n_lost = min(lost_pool.size, max(1, round(ALERT_HISTORY_SHARE * ids.size)))
    lost = np.sort(rng.choice(lost_pool, n_lost, replace=False)) if n_lost else lost_pool[:0]
    stayed = np.flatnonzero(~c["churned"] & free & (signup < end - 420))
    unhappy = stayed[c["mood"][stayed] <= np.quantile(c["mood"][stayed], 0.2)] if stayed.size else stayed
    n_kept = min(unhappy.size, round(1.2 * n_lost))
    kept = np.sort(rng.choice(unhappy, n_kept, replace=False)) if n_kept else unhappy
    # saved, then left within 90 days: closed long enough ago that "saved and kept" judges them
    anyway_pool = np.setdiff1d(np.flatnonzero(c["churned"] & (churn_day >= max(150, end - 280))
                                              & (churn_day <= end - 80) & (signup < churn_day - 150)), lost)
    n_anyway = min(anyway_pool.size, max(1, round(0.2 * n_kept)) if n_kept else 0)
    anyway = np.sort(rng.choice(anyway_pool, n_anyway, replace=False)) if n_anyway else anyway_pool[:0]

    owners = [o for r in REGIONS for o in ACCOUNT_OWNERS[r]]
    changes = []
    for who, closing, closed_on in (
            ("lost", lost, np.minimum(churn_day[lost] + rng.integers(0, 8, lost.size), end - 2)),
            ("saved", kept, rng.integers(max(60, end - 365), end - 20, kept.size)),
            ("saved", anyway, churn_day[anyway] - rng.integers(15, 85, anyway.size))):
        opened = closed_on - rng.integers(8, 46, closing.size)
        plans = rng.random(closing.size) < 0.7
        for i, close, open_, planned in zip(closing, closed_on, opened, plans):
            key = alerts.alert_key(dataset, ids[i])
            owner = owners[c["owner"][i]]
            email = _staff_email(owner)
            rules = (LOST_RULES if who == "lost" else SAVED_RULES)[rng.integers(0, 4)]
            at_open, at_close = _office_time(win, int(open_), rng), _office_time(win, int(close), rng)
            changes.append((key, at_open, email, {"status": "acknowledged", "owner": owner, "rules": rules}))
            if planned and close - open_ >= 2:
                at_plan = _office_time(win, int(open_ + rng.integers(1, close - open_)), rng)
                changes.append((key, at_plan, email, {"status": "plan", "note": PLAN_NOTES[rng.integers(0, 4)],
                                                      "rules": rules}))
            notes = LOST_NOTES if who == "lost" else SAVED_NOTES
            changes.append((key, at_close, email, {"status": who, "note": notes[rng.integers(0, 4)],
                                                   "rules": rules}))
    return Store.beside(path).import_history(alerts.KIND, changes)


FOLLOWUP_HISTORY_STREAM = 0xF011   # its own random stream: the data's rows never depend on it
FOLLOWUP_ROOT_CAUSES = {"Billing": "billing", "Logistics": "delivery", "Support": "wait", "IT": "product",
                        "Product": "product", "Sales": "policy", "Marketing": "policy"}
FOLLOWUP_NOTES = {"contacted": ("Called back; listening to what went wrong", "Reached by e-mail; call booked"),
                  "resolved": ("Apologised and fixed the issue; customer satisfied", "Credit applied; thanked us"),
                  "unreachable": ("Three calls and an e-mail, no answer", "Number no longer in use")}


def _import_followup_history(path: Path | str | None, win: _Window, seed: int) -> int:
    """Write a past of worked follow-up cases into the store beside the database, so the follow-up
    KPIs (contacted on time, time to first contact) have figures: most cases older than two days were
    contacted, three in four within the 48 hours, most then resolved, a few unreachable; some were never
    touched and stay overdue, and the newest are still new. Drawn from its own random stream."""
    from cxdata.followup import case_list  # the demo's follow-up cases; imported when built
    from cxdata.followup.rules import KIND, Settings
    from cxdata.store import Store

    path = Path(path or db.db_path())
    newest = win.start + timedelta(days=win.n_days - 1)
    con = db.connect_readonly(path)
    try:
        found = case_list.case_rows(db.Reader(con), None, newest, Settings())
    finally:
        con.close()
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(FOLLOWUP_HISTORY_STREAM,))))
    now = datetime.now(timezone.utc)
    end = datetime.combine(newest + timedelta(days=1), datetime.min.time(), tzinfo=timezone.utc)
    owners = [o for r in REGIONS for o in ACCOUNT_OWNERS[r]]
    changes = []
    for case_id, opened, department in zip(found["case_id"], found["opened_at"], found["department"]):
        opened = opened.to_pydatetime()
        age_hours = (end - opened).total_seconds() / 3600
        if age_hours < 48 or rng.random() < 0.12:   # the newest wait; a few are never touched
            continue
        hours = float(rng.lognormal(np.log(20), 0.8))   # first contact: median 20 h, a quarter after 48 h
        first = opened + timedelta(hours=min(hours, age_hours - 1))
        who = _staff_email(owners[rng.integers(0, len(owners))])
        cause = FOLLOWUP_ROOT_CAUSES.get(department, "other") if rng.random() < 0.8 else "other"
        reached = rng.random() < 0.88
        status = "contacted" if reached else "unreachable"
        steps = [(first, {"status": status, "root_cause": cause, "note": FOLLOWUP_NOTES[status][rng.integers(0, 2)]})]
        closed = first + timedelta(hours=float(rng.uniform(4, 120)))
        if reached and closed < end and rng.random() < 0.8:
            steps.append((closed, {"status": "resolved", "note": FOLLOWUP_NOTES["resolved"][rng.integers(0, 2)]}))
        changes += [(case_id, at, who, fields) for at, fields in steps if at < now]
    return Store.beside(path).import_history(KIND, changes)


def _office_time(win: _Window, day: int, rng: np.random.Generator) -> datetime:
    """A moment of office hours (UTC) on a day of the window."""
    start = datetime.combine(win.start, datetime.min.time(), tzinfo=timezone.utc)
    return start + timedelta(days=day, seconds=int(rng.integers(9 * 3600, 17 * 3600)))


def _staff_email(name: str) -> str:
    """An account owner's work address: "Laura Martín" -> laura.martin@example.com."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return ".".join("".join(ch for ch in part if ch.isalnum()) for part in plain.lower().split()) + "@example.com"


# ---- Targets -----------------------------------------------------------------------------------

def _targets(win: _Window) -> pa.Table:
    """Every calendar quarter the window touches, company-wide and per department."""
    first = (win.start.year * 12 + win.start.month - 1) // 3
    end = np.datetime64(win.start) + np.timedelta64(win.n_days - 1, "D")
    last_date = end.astype(object)
    last = (last_date.year * 12 + last_date.month - 1) // 3
    rows = []
    for q in range(first, last + 1):
        y, qi = divmod(q, 4)
        start = date(y, qi * 3 + 1, 1)
        ey, em = divmod(y * 12 + qi * 3 + 3, 12)
        end_on = date.fromordinal(date(ey, em + 1, 1).toordinal() - 1)
        rows += [(m, None, start, end_on, v) for m, v in COMPANY_TARGETS.items()]
        for d in DEPARTMENTS:
            own = {**TARGETS, "first_response_written": FIRST_RESPONSE_WRITTEN_TARGET.get(
                d, TARGETS["first_response_written"])}
            rows += [(m, d, start, end_on, v) for m, v in own.items()]
    metric, dept, start, end_on, value = zip(*rows)
    return pa.table({"metric": metric, "department": pa.array(dept, type=pa.string()),
                     "period_start": start, "period_end": end_on, "target": value})


# ---- Helpers -----------------------------------------------------------------------------------

def _number(next_id: dict[str, int], name: str, rows: dict[str, np.ndarray]) -> np.ndarray:
    """Consecutive ids (from 1) across chunks."""
    first = next_id[name]
    next_id[name] += len(rows["cust"])
    return np.arange(first + 1, next_id[name] + 1)


def _draw(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indices drawn with the given relative weights."""
    w = np.asarray(weights, dtype=float)
    return rng.choice(w.size, size=size, p=w / w.sum())


def _draw_rows(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One index per row of probs (rows sum to 1)."""
    cum = np.cumsum(probs, axis=1)
    idx = (rng.random(len(probs))[:, None] * cum[:, -1:] >= cum).sum(axis=1)
    return np.minimum(idx, probs.shape[1] - 1)


def _ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For counts [2, 0, 3]: owners [0, 0, 2, 2, 2] and positions [0, 1, 0, 1, 2]."""
    owner = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    return owner, np.arange(owner.size) - starts[owner]


def _dict(codes: np.ndarray, values, missing: np.ndarray | None = None) -> pa.DictionaryArray:
    """Category codes as an arrow dictionary column; DuckDB reads it as text."""
    idx = pa.array(np.asarray(codes, dtype=np.int32), mask=missing)
    return pa.DictionaryArray.from_arrays(idx, pa.array(list(values), type=pa.string()))


def _arrow(rows: dict[str, np.ndarray], columns) -> pa.Table:
    return pa.table({name: make(rows) for name, make in columns})


def _insert(con, name: str, sql: str, table: pa.Table, params: dict | None = None) -> None:
    view = f"demo_{name}"
    con.register(view, table)
    try:
        con.execute(sql.format(view=view), params or {})
    finally:
        con.unregister(view)


def _seconds(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    return pa.array(np.asarray(values, dtype=np.int64), mask=missing)


def _global_customer(rows: dict[str, np.ndarray]) -> np.ndarray:
    return rows["cust_id"][rows["cust"]]


_COLUMNS = {
    "interaction": (
        ("n", lambda r: r["n"]),
        ("cust", _global_customer),
        ("start_s", lambda r: _seconds(r["start_s"])),
        ("channel", lambda r: _dict(r["channel"], CHANNELS)),
        ("stage", lambda r: _dict(r["stage"], STAGE_NAMES)),
        ("touch", lambda r: _dict(r["touch"], TOUCHPOINT_NAMES)),
        ("dept", lambda r: _dict(r["dept"], DEPARTMENTS)),
        ("kind", lambda r: _dict(r["kind"], KINDS)),
        ("office", lambda r: _dict(np.where(r["front"], 0, 1), ("front", "back"))),
        ("first_response", lambda r: pa.array(r["first_response"], from_pandas=True)),
        ("resolved_s", lambda r: _seconds(r["resolved_s"], r["is_open"])),
        ("escalated", lambda r: r["escalated"]),
        ("sla", lambda r: pa.array(r["sla"], from_pandas=True)),
    ),
    "feedback": (
        ("n", lambda r: r["n"]),
        ("cust", _global_customer),
        ("interaction", lambda r: pa.array(r["interaction"], mask=r["interaction"] < 0)),
        ("submitted_s", lambda r: _seconds(r["submitted_s"])),
        ("survey", lambda r: _dict(r["survey"], SURVEYS)),
        ("score", lambda r: r["score"]),
        ("comment", lambda r: pa.array(r["comment"], type=pa.string())),
        ("stage", lambda r: _dict(r["stage"], STAGE_NAMES, r["stage"] < 0)),
        ("touch", lambda r: _dict(r["touch"], TOUCHPOINT_NAMES, r["touch"] < 0)),
        ("dept", lambda r: _dict(r["dept"], DEPARTMENTS, r["dept"] < 0)),
    ),
    "transaction": (
        ("n", lambda r: r["n"]),
        ("cust", _global_customer),
        ("when_s", lambda r: _seconds(r["when_s"])),
        ("amount", lambda r: r["amount"]),
        ("kind", lambda r: _dict(r["kind"], TRANSACTION_KINDS)),
    ),
}

_INSERT_LOAD = """
insert into loads (load_id, started_at, finished_at, files, target_table, n_read, n_loaded,
                   n_updated, n_unchanged, n_rejected, outcome, message)
values ($id, $started, $finished, ['demo'], 'all', $n, $n, 0, 0, 0, 'ok', $message)
"""
# The demo provides every column of its tables from its first month (the data it replaced went, and
# with it what that data provided).
_INSERT_PROVIDED = """
delete from provided_columns;
insert into provided_columns
select $load_id, c.table_name, c.column_name, t.n, case when c.table_name <> 'customers' then $first_month end
from information_schema.columns c
join (select 'customers' as table_name, count(*) as n from customers
      union all select 'interactions', count(*) from interactions
      union all select 'feedback', count(*) from feedback
      union all select 'transactions', count(*) from transactions) t using (table_name)
where c.table_schema = 'main' and c.table_catalog = current_database()
"""
_INSERT_STAGES = "insert into journey_stages select stage, position, description from {view}"
_INSERT_CUSTOMERS = """
insert into customers
select printf('C%07d', n), name, segment, region, country, plan, signup_on, annual_value,
       account_owner, churned_on
from {view}
"""
_INSERT_INTERACTIONS = """
insert into interactions
select printf('I%09d', n), printf('C%07d', cust), $start + to_seconds(start_s), channel, stage,
       touch, dept, kind, office, first_response, $start + to_seconds(resolved_s), escalated, sla
from {view}
"""
_INSERT_FEEDBACK = """
insert into feedback
select printf('F%09d', n), printf('C%07d', cust), printf('I%09d', interaction),
       $start + to_seconds(submitted_s), survey, score, comment, stage, touch, dept
from {view}
"""
_INSERT_TRANSACTIONS = """
insert into transactions
select printf('T%09d', n), printf('C%07d', cust), $start + to_seconds(when_s), amount, kind
from {view}
"""
# The demo knows each customer's attributes from signup on (they never change in it).
_INSERT_HISTORY = """
delete from customer_history;
insert into customer_history
select customer_id, coalesce(signup_date, date '1900-01-01'), null, segment, plan, annual_value, account_owner, false
from customers;
delete from dataset;
"""
_INSERT_DATASET = "insert into dataset values ($dataset_id, $created_at)"
_INSERT_TARGETS = """
insert into targets select metric, department, period_start, period_end, target from {view}
"""


# ---- Initiatives (docs/initiatives.md, docs/demo-data.md) ------------------------------------------
# Three initiatives, dated from the demo's today: one that works (its effect is planted in the rows),
# one that does nothing (nothing planted) and one aiming at a change too small for the data to see.
PLANT_STREAM = 0x1A17       # its own random stream: the other rows are drawn as without it
PLANTED_REGIONS = ("Europe", "LATAM", "North America")
PLANTED_DEPARTMENT = "Billing"
PLANTED_CSAT_LIFT = 3.0     # CSAT points gained by Billing answers in those regions from the start (small:
                            # company CSAT in the December-January dip still misses its target)
PLANTED_COMPLAINT_CUT = 0.3  # share of those regions' Billing complaints that no longer happen (now requests)
PLANTED_START_DAYS = 280    # the working initiative starts 40 weeks before today


def _plant_initiative_effect(c: dict[str, np.ndarray], it: dict[str, np.ndarray], fb: dict[str, np.ndarray],
                             win: _Window, rng: np.random.Generator) -> None:
    """The Billing initiative's real effect, from its start day on, in its regions: a low CSAT answer
    on a Billing contact becomes a 4 or 5 with the chance that lifts the share of 4-5 answers by
    PLANTED_CSAT_LIFT points (its comment dropped, as it no longer fits), and a share of the Billing
    complaints become requests. Drawn from its own stream, so every other row is as it was."""
    start_day = win.n_days - PLANTED_START_DAYS
    regions = [list(REGIONS).index(r) for r in PLANTED_REGIONS]
    billing = DEPARTMENTS.index(PLANTED_DEPARTMENT)
    in_scope = np.isin(c["region"][fb["cust"]], regions) & (fb["dept"] == billing) & (fb["survey"] == 1)
    after = fb["submitted_s"] >= start_day * DAY
    before = in_scope & ~after
    share = float(np.mean(fb["score"][before] >= 4)) if before.any() else 0.75
    chance = min(1.0, PLANTED_CSAT_LIFT / 100 / max(1e-9, 1 - share))
    lifted = in_scope & after & (fb["score"] < 4) & (rng.random(fb["score"].size) < chance)
    fb["score"][lifted] = np.where(rng.random(int(lifted.sum())) < 0.5, 4, 5)
    fb["comment"][lifted] = None
    complaint = (np.isin(c["region"][it["cust"]], regions) & (it["dept"] == billing)
                 & (it["kind"] == KINDS.index("complaint")) & (it["day"] >= start_day))
    it["kind"][complaint & (rng.random(it["kind"].size) < PLANTED_COMPLAINT_CUT)] = KINDS.index("request")


def _insert_initiatives(con, today: date) -> None:
    """The three initiatives and their checkpoints, in the tables a file would load."""
    con.execute("delete from initiatives; delete from initiative_checkpoints;")
    start_a = today - timedelta(days=PLANTED_START_DAYS)
    start_b, end_b = today - timedelta(days=280), today - timedelta(days=60)
    start_c = today - timedelta(days=210)
    rows = [  # name, owner, department, start, end, cost, kpi, expected change, segments, regions, channels, touchpoints, departments
        ("Clearer invoices and billing callbacks", "Marta Ruiz", "Billing", start_a, None, 120_000.0, "complaint_rate", -4.0,
         None, ";".join(PLANTED_REGIONS), None, None, PLANTED_DEPARTMENT),
        ("Welcome calls for small businesses", "Daniel Okafor", "Sales", start_b, end_b, 30_000.0, "nps", 10.0,
         "SMB", None, None, None, None),
        ("Setup wizard tooltips", "Lena Fischer", "Product", start_c, None, 8_000.0, "ces", 0.05,
         None, None, None, "setup wizard", None),
    ]
    con.executemany("insert into initiatives values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    checkpoints = [
        (rows[0][0], start_a + timedelta(days=60), "New invoice layout live in every region in scope", None, None),
        (rows[0][0], start_a + timedelta(days=180), "Billing complaint rate at 14% or less in scope", "complaint_rate", 14.0),
        (rows[0][0], today + timedelta(days=60), "Billing CSAT up 3 points", None, None),
        (rows[1][0], start_b + timedelta(days=30), "Every new small business called in its first week", None, None),
        (rows[1][0], end_b, "Small-business NPS at 40 or more", "nps", 40.0),
        (rows[2][0], start_c + timedelta(days=45), "Tooltips on every wizard step", None, None),
    ]
    con.executemany("insert into initiative_checkpoints values (?, ?, ?, ?, ?)", checkpoints)
