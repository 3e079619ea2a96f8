-- One row per version of a live case's adjudication state (case_id x valid_from), from the
-- snapshot snapshots.snap_case_status (see its description for how versions arise).
-- The snapshot keeps one row per observed edit of the case; consecutive rows with the same
-- state (status, adjudication_outcome, adjudicated_on, is_deleted) are one version here.
-- valid_from / valid_to are UTC timestamps: the source's updated_at of the edit that set /
-- replaced the state; valid_to is NULL for the current version. valid_from_date /
-- valid_to_date are the PKT dates. Versions during which the case was soft-deleted are left
-- out (only live rows count), as are cases that are deleted now.
with snap as (
    select
        case_id,
        status,
        adjudication_outcome,
        adjudicated_on,
        is_deleted,
        dbt_valid_from,
        dbt_valid_to,
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
    window w as (partition by case_id order by dbt_valid_from)
),

numbered as (
    select *, sum(starts_version) over (partition by case_id order by dbt_valid_from
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
        min(dbt_valid_from)                                              as valid_from,
        -- the version ends where its last snapshot row ends; NULL while current
        case when bool_or(dbt_valid_to is null) then null else max(dbt_valid_to) end as valid_to
    from numbered
    group by case_id, version_seq
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
from versions as v
inner join {{ ref('fct_cases') }} as c
    on c.case_id = v.case_id
where not v.is_deleted
