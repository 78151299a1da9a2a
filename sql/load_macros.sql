-- the loader's time macros for mapping expressions: when a value happens, when a deadline ends
-- Run on a load's own connection after `set variable cx_timezone` (cxdata/load/zones.py). Times are on
-- the company's clock, CX_TIMEZONE, as the loader stores them (docs/loading.md, Time zones and deadlines).

-- When a date-time happens: a value with an offset (Z, +02:00) converted to the company's clock; one
-- without taken as already on it; a date alone is the start of its day.
create or replace temp macro moment(value) as
    case when regexp_matches(trim(value), ':\d{2}(?:[.,]\d+)?(Z|[+-]\d{2}(:?\d{2})?)$')
         then timezone(cast(getvariable('cx_timezone') as varchar), try_cast(trim(value) as timestamptz))
         else try_cast(trim(value) as timestamp) end,
    (value, layout) as try_strptime(trim(value), layout);

-- The end of the day a value falls on (the next midnight on the company's clock): for a promised
-- date that an export writes with a midnight time (2024-05-31 00:00:00).
create or replace temp macro end_of_day(value) as cast(cast(moment(value) as date) + 1 as timestamp),
    (value, layout) as cast(cast(moment(value, layout) as date) + 1 as timestamp);

-- A deadline: a date alone (no time in the text, or a layout with no time in it) runs to the end of
-- that day; a value with a time, even 00:00, is that moment.
create or replace temp macro deadline(value) as
    case when regexp_matches(trim(value), '^\d{4}-\d{1,2}-\d{1,2}$') then end_of_day(value)
         else moment(value) end,
    (value, layout) as
    case when regexp_matches(layout, '%[HIklMSTRXcpPfsgnzZ]') then moment(value, layout)
         else end_of_day(value, layout) end;
