-- The canonical CX data model. Applied by every writer (loader, demo); idempotent.
-- Keys are enforced by the loader's upsert, not by constraints, so bulk loads stay fast.

create table if not exists journey_stages (
    stage        varchar not null,  -- e.g. awareness
    position     integer not null,  -- order along the journey, 1 = first
    description  varchar
);

create table if not exists customers (
    customer_id    varchar not null,
    name           varchar,
    segment        varchar,        -- e.g. Enterprise, Mid-Market, SMB, Consumer
    region         varchar,        -- e.g. North America, Europe, LATAM, APAC
    country        varchar,        -- ISO 3166 alpha-2, e.g. ES
    plan           varchar,        -- e.g. Basic, Plus, Premium
    signup_date    date,
    annual_value   decimal(14, 2), -- contracted revenue per year, in the company's currency
    account_owner  varchar,
    churned_on     date            -- null while the customer is active
);

create table if not exists interactions (
    interaction_id          varchar not null,
    customer_id             varchar not null,
    started_at              timestamp not null,
    channel                 varchar not null,  -- phone, ivr, email, chat, web, app, in_person, social, kiosk, ...
    journey_stage           varchar,
    touchpoint              varchar,
    department              varchar,
    kind                    varchar,           -- inquiry, request, complaint, purchase, ...
    office                  varchar,           -- front or back
    first_response_seconds  double,
    resolved_at             timestamp,         -- null while open
    escalated               boolean,
    sla_seconds             double             -- promised time to resolve
);

create table if not exists feedback (
    feedback_id     varchar not null,
    customer_id     varchar not null,
    interaction_id  varchar,
    submitted_at    timestamp not null,
    survey          varchar not null,  -- nps (0-10), csat (1-5) or ces (1-7, 7 = least effort)
    score           smallint not null,
    comment         varchar,
    journey_stage   varchar,
    touchpoint      varchar,
    department      varchar
);

create table if not exists transactions (
    transaction_id  varchar not null,
    customer_id     varchar not null,
    occurred_at     timestamp not null,
    amount          decimal(14, 2) not null,  -- negative for refunds
    kind            varchar                   -- invoice, renewal, purchase, refund, failed_payment,
                                              -- downgrade, upgrade, ...; null = not told (docs/data-model.md)
);
-- Databases written before transactions had a kind get the column (null: not told).
alter table transactions add column if not exists kind varchar;


create table if not exists targets (
    metric        varchar not null,  -- nps, csat, ces, churn_rate, retention_rate, sla_compliance, ...
    department    varchar,           -- null = whole company
    period_start  date not null,
    period_end    date not null,
    target        double not null
);

-- CX initiatives (docs/initiatives.md): what the company does to move a KPI, loaded like targets and
-- edited in the app (edits kept in the store beside the database). Scope columns hold values separated
-- by ";" (e.g. "Europe;LATAM"); empty = every value of that dimension.
create table if not exists initiatives (
    name             varchar not null,  -- the key
    owner            varchar,
    department       varchar,           -- the department that runs it
    start_date       date not null,
    end_date         date,              -- null = open-ended
    cost             double,            -- in the company's currency
    kpi              varchar not null,  -- nps, csat, ces, churn_rate or complaint_rate
    expected_change  double,            -- in the KPI's own units, signed (e.g. 5 NPS points, -1 churn point)
    segments         varchar,
    regions          varchar,
    channels         varchar,
    touchpoints      varchar,
    departments      varchar
);

-- What should be true by when, per initiative; with metric + target it is judged from the data,
-- else marked met or missed in the app.
create table if not exists initiative_checkpoints (
    initiative  varchar not null,  -- initiatives.name
    due_date    date not null,
    what        varchar not null,
    metric      varchar,           -- optional: a KPI judged on the initiative's scope from its start
    target      double
);

-- Reference: how each channel answers (docs/service-levels.md). immediate = a person answers while
-- the customer waits (phone, chat, in person, kiosk...); deferred = the answer comes later (e-mail,
-- web forms, social...); none = nobody answers there (automatic notices, delivery scans). A channel
-- not listed is immediate when $CX_LIVE_CHANNELS (or its default list) names it, else deferred.
create table if not exists channels (
    channel        varchar not null,
    response_mode  varchar not null   -- immediate, deferred or none
);

-- Reference: which touchpoints are self-service (no agent) and which expect an answer (a
-- conversation; a fulfilment step such as a delivery leg, a purchase or an automatic event expects
-- none). Who owes an answer: is_answer_due in sql/macros.sql.
create table if not exists touchpoints (
    touchpoint       varchar not null,
    is_self_service  boolean not null,
    expects_answer   boolean           -- null = not told: expected unless self-service
);
-- Databases written before touchpoints said whether they expect an answer get the column (null).
alter table touchpoints add column if not exists expects_answer boolean;

create table if not exists loads (
    load_id       varchar not null,
    started_at    timestamp not null,
    finished_at   timestamp,
    files         varchar[],
    target_table  varchar,
    n_read        bigint,
    n_loaded      bigint,   -- new keys
    n_updated     bigint,   -- existing keys whose row changed
    n_unchanged   bigint,   -- existing keys loaded again as they were
    n_rejected    bigint,
    outcome       varchar,  -- ok, ok_with_rejects, failed
    message       varchar
);

-- Plausibility warnings of a load (cxdata/load/checks.py): results that load but look wrong, e.g. a
-- median first response of years. Never block a load; the Data & loads page shows each table's latest.
create table if not exists load_warnings (
    load_id      varchar not null,
    table_name   varchar not null,
    column_name  varchar,
    check_name   varchar not null,  -- slow_first_response, sla_all_or_nothing, mostly_empty, ...
    message      varchar not null,
    look_at      varchar           -- the mapping line (file, line, setting) or the file's column to check
);

-- Which columns each load's files actually provided, per table (docs/loading.md, "What your data
-- provides"): a metric whose column was never provided reads "not in your data", never 0. Written by
-- the loader in the load's own transaction (cxdata.load.write.record_provided) and by the demo. A
-- database written before this table has no rows in it: its tables with rows count as provided.
create table if not exists provided_columns (
    load_id      varchar not null,
    table_name   varchar not null,
    column_name  varchar not null,
    n_rows       bigint not null,  -- rows written that the column informs (a value; churned_on, resolved_at: every row)
    first_month  date              -- the first month of those rows by the table's date; null: undated (customers)
);

create table if not exists rejected_rows (
    load_id      varchar not null,
    source_file  varchar not null,
    line         bigint,    -- line in the source file (1 = header)
    column_name  varchar,
    reason       varchar not null,
    value        varchar,
    target_table varchar,
    raw          varchar    -- the whole source row as JSON, to fix and reload
);

-- One row per customer x span of time their attributes held (churn features as of a past date read
-- the row valid then, never today's values). Written by the loader when a customer is first loaded
-- or an attribute changes (sql/customer_history_sync.sql), and by the demo. valid_to null = current.
create table if not exists customer_history (
    customer_id    varchar not null,
    valid_from     date not null,     -- first day the values held (first load: the signup date)
    valid_to       date,              -- first day they no longer held; null while current
    segment        varchar,
    plan           varchar,
    annual_value   decimal(14, 2),
    account_owner  varchar,
    is_backfilled  boolean            -- true: first seen at a load, assumed to hold since signup
);

-- One row: which dataset this database holds. The demo writes a new id on every build, the first
-- load one if there is none; the follow-up store keys alerts on it, so a rebuilt demo that reuses
-- customer ids never inherits old alert statuses.
create table if not exists dataset (
    dataset_id  varchar not null,
    created_at  timestamp not null
);
