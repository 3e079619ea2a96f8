-- One row per source row and check that failed in the current refresh: quarantined rows
-- (kept out of every mart) and flagged rows (kept, but suspect). first_seen_at is the
-- start of the first refresh that saw the issue.
select
    c.source_table,
    c.source_pk,
    c.check_name,
    c.severity,
    c.detail,
    h.first_seen_at
from {{ ref('int_dq_checks') }} as c
inner join {{ ref('int_dq_issue_first_seen') }} as h
    on h.source_table = c.source_table
   and h.source_pk = c.source_pk
   and h.check_name = c.check_name
