-- One row per source row and check that failed in the current refresh: quarantined rows
-- (kept out of every mart) and flagged rows (kept, but suspect). first_seen_at is the
-- start of the first refresh that saw the issue. case_id, formation_code and seizure_date
-- are those of the case in fct_cases the source row belongs to (a case; an item, vehicle,
-- person or officer assignment of it: int_dq_checks.case_id), NULL when it belongs to none.

select
    c.source_table,
    c.source_pk,
    c.check_name,
    c.severity,
    c.detail,
    h.first_seen_at,
    fc.case_id,
    fc.formation_code,
    fc.seizure_date
from {{ ref('int_dq_checks') }} as c
inner join {{ ref('int_dq_issue_first_seen') }} as h
    on h.source_table = c.source_table
   and h.source_pk = c.source_pk
   and h.check_name = c.check_name
left join {{ ref('fct_cases') }} as fc
    on fc.case_id = c.case_id
