-- depends_on: {{ ref('stg_changed_cases') }}

-- What the case status snapshot (snapshots/snap_case_status) compares in this build: every
-- case (deleted ones too, so a deletion is recorded as a change of is_deleted) and its
-- adjudication columns; the snapshot adds a version whenever one of them changes. A build of
-- the changed cases hands it only those (macros/changed_cases.sql): the state of the others
-- did not change, and the snapshot leaves cases it is not handed alone (hard_deletes: ignore).
-- A build of everything, or the first, hands it every case. status_recorded_at is when the
-- source says the state was set: its updated_at (UTC), else its created_at; NULL when
-- neither is a plausible timestamp (both are flagged in data_quality_issues).
-- mart_case_status_history dates each version by it where it is credible, else by the
-- refresh that recorded the version.
select
    case_id,
    status,
    adjudication_outcome,
    adjudicated_on,
    is_deleted,
    coalesce(updated_at_utc, created_at_utc)    as status_recorded_at
from {{ ref('stg_cases') }}
where case_id is not null
{% if stored_relation('snap_case_status') is not none and not flags.FULL_REFRESH %}
and {{ in_changed_cases('case_id') }}
{% endif %}
