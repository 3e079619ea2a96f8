{{ config(severity='warn') }}
-- mart_case_status_history timeline: a case's versions follow one another without gaps or
-- overlaps (each valid_to is the next version's valid_from) and none ends before it starts.
-- The mart dates versions so that they always follow one another; a gap remains where the
-- case was deleted and restored (the deleted versions are left out): a warning about the
-- source, not our logic.
with h as (
    select
        *,
        lead(valid_from) over (partition by case_id order by valid_from) as next_valid_from
    from {{ ref('mart_case_status_history') }}
)

select 'versions do not chain' as problem, case_id
from h
where (next_valid_from is null) <> is_current
   or (next_valid_from is not null and valid_to is distinct from next_valid_from)
union all
select 'ends before it starts', case_id
from h
where valid_to < valid_from
