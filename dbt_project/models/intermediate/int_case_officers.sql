-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "officer_cases"}) }}

-- Every case_officers row (deleted ones too) with its liveness and its officer.
-- A live row whose key is incomplete (case_id, officer_id or role missing: SQLite allows it)
-- says nothing anyone can be credited for: it is quarantined (incomplete_key) and nothing
-- else is said about it. A live row whose officer does not exist in the store is
-- quarantined like an orphan. is_in_marts is the flag officer marts must filter on (is_live,
-- the key complete and the officer exists). A soft-deleted officer still exists (their
-- past cases stay credited); it is flagged.
with officers as (
    select officer_id, bool_and(is_deleted) as is_deleted
    from {{ ref('stg_officers') }}
    where officer_id is not null
    group by officer_id
)

select
    child.*,
    {{ parent_case_state() }}                  as parent_case_state,
    case
        when o.officer_id is null then 'missing'
        when o.is_deleted then 'deleted'
        else 'live'
    end                                         as officer_state,
    {{ is_live_child() }}                      as is_live,
    (not child.is_key_incomplete and {{ is_orphan_child() }}) as is_orphan,
    (not child.is_key_incomplete and not child.is_deleted and o.officer_id is null) as is_officer_missing,
    (not child.is_key_incomplete and {{ is_live_child() }} and o.officer_id is not null) as is_in_marts
from {{ ref('stg_case_officers') }} as child
left join {{ ref('stg_cases') }} as parent_case
    on parent_case.case_id = child.case_id
left join officers as o
    on o.officer_id = child.officer_id
{% if is_incremental() %}
where {{ in_changed_cases('child.case_id', through_officers=true) }}
{% endif %}
