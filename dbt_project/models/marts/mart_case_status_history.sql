-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_recorded_case_versions() }}") }}

-- One row per version of a live case's adjudication state (case_id x valid_from), from the
-- snapshot snapshots.snap_case_status (see its description for how versions arise).
-- The snapshot keeps one row per recorded change (older warehouses also hold rows for
-- edits that changed nothing of the state); consecutive rows with the same state
-- (status, adjudication_outcome, adjudicated_on, is_deleted) are one version here.
--
-- valid_from: when the state was set, in UTC. The source's time for it (status_recorded_at:
-- updated_at, else created_at, capped at the refresh that recorded the version, for a clock
-- ahead) when it is later than the previous version's valid_from; otherwise (the source's
-- timestamps went backwards or did not move), or when the source has no usable time, the
-- time of the refresh that recorded the version. Versions therefore always follow one
-- another, whatever the source says (a version's start depends on the one before it: a
-- recursive walk, one step per version). valid_to: the next version's valid_from; NULL
-- for the current version. valid_from_date / valid_to_date are the PKT dates. Versions
-- during which the case was soft-deleted are left out (only live rows count), as are
-- cases that are deleted now. An incremental build rebuilds the cases whose snapshot rows it
-- wrote and the changed cases (macros/changed_cases.sql).
with recursive snap as (
    select
        case_id,
        status,
        adjudication_outcome,
        adjudicated_on,
        is_deleted,
        status_recorded_at,
        dbt_valid_from                                                   as recorded_at,
        -- a new version starts where the state differs from the previous snapshot row
        case
            when lag(dbt_valid_from) over w is null then 1
            when lag(status) over w is distinct from status
              or lag(adjudication_outcome) over w is distinct from adjudication_outcome
              or lag(adjudicated_on) over w is distinct from adjudicated_on
              or lag(is_deleted) over w is distinct from is_deleted then 1
            else 0
        end                                                              as starts_version
    from {{ ref('snap_case_status') }}
    {% if is_incremental() %}
    where {{ in_recorded_case_versions('case_id') }}
    {% endif %}
    window w as (partition by case_id order by dbt_valid_from)
),

numbered as (
    select *, sum(starts_version) over (partition by case_id order by recorded_at
                                        rows between unbounded preceding and current row) as version_seq
    from snap
),

versions as (
    select
        case_id,
        version_seq,
        any_value(status)                                                as status,
        any_value(adjudication_outcome)                                  as adjudication_outcome,
        any_value(adjudicated_on)                                        as adjudicated_on,
        any_value(is_deleted)                                            as is_deleted,
        min(recorded_at)                                                 as recorded_at,
        -- the source's time of the version's first row, capped at when it was recorded
        least(coalesce(max(case when starts_version = 1 then status_recorded_at end), min(recorded_at)),
              min(recorded_at))                                          as source_set_at
    from numbered
    group by case_id, version_seq
),

dated (case_id, version_seq, valid_from) as (
    select case_id, version_seq, source_set_at
    from versions
    where version_seq = 1
    union all
    select
        v.case_id,
        v.version_seq,
        case when v.source_set_at > d.valid_from then v.source_set_at else v.recorded_at end
    from dated as d
    inner join versions as v
        on v.case_id = d.case_id
       and v.version_seq = d.version_seq + 1
),

chained as (
    select
        v.*,
        d.valid_from,
        lead(d.valid_from) over (partition by v.case_id order by v.version_seq) as valid_to
    from versions as v
    inner join dated as d
        on d.case_id = v.case_id
       and d.version_seq = v.version_seq
)

select
    v.case_id,
    c.case_no,
    c.formation_code,
    row_number() over (partition by v.case_id order by v.valid_from)    as version_no,
    v.status,
    v.adjudication_outcome,
    v.adjudicated_on,
    v.valid_from,
    v.valid_to,
    {{ pkt_date('v.valid_from') }}                                       as valid_from_date,
    {{ pkt_date('v.valid_to') }}                                         as valid_to_date,
    v.valid_to is null                                                   as is_current
from chained as v
inner join {{ ref('fct_cases') }} as c
    on c.case_id = v.case_id
where not v.is_deleted
