-- What the case status snapshot (snapshots/snap_case_status) tracks: every case (deleted ones
-- too, so a deletion is recorded as a change of is_deleted), its adjudication columns, and
-- status_recorded_at = the source's updated_at (UTC), which the snapshot uses as the start
-- of a new version. Falls back to created_at, then 1970-01-01, when updated_at is missing or
-- junk (flagged in data_quality_issues), so the snapshot never depends on the wall clock.
select
    case_id,
    status,
    adjudication_outcome,
    adjudicated_on,
    is_deleted,
    coalesce(updated_at_utc, created_at_utc, timestamp '1970-01-01 00:00:00') as status_recorded_at
from {{ ref('stg_cases') }}
where case_id is not null
