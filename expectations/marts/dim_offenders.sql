-- Batch of suite marts.dim_offenders: every row of the built mart; when the DuckDB variable
-- rebuilt_only is set (after a build of the changed cases only: antismuggling.changes), the
-- people that build rebuilt (dbt macros/changed_cases.sql).
select
    offender_key,
    cnic,
    n_cases,
    n_formations,
    first_seen_date,
    last_seen_date,
    is_repeat_offender,
    n_cases >= 2                                                        as has_several_cases
from marts.dim_offenders
where getvariable('rebuilt_only') is null
   or exists (select 1 from intermediate.int_touched_offenders where everything)
   or offender_key in (select offender_key from intermediate.int_touched_offenders)
