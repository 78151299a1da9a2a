-- Which write of the database this file holds (cxdata/db.py, the spare): the lineage (one id per
-- database, kept by every copy), its generation (one more per write) and whether the write finished
-- ('ready') or was cut off ('writing'), so a spare left half written is never brought forward.
create table if not exists write_state (lineage varchar not null, generation bigint not null, state varchar not null)
