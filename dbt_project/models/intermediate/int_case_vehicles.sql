-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Every case vehicle (deleted ones too) with its liveness.
select
    child.*,
    {{ parent_case_state() }}                  as parent_case_state,
    {{ is_live_child() }}                      as is_live,
    {{ is_orphan_child() }}                    as is_orphan
from {{ ref('stg_case_vehicles') }} as child
left join {{ ref('stg_cases') }} as parent_case
    on parent_case.case_id = child.case_id
{% if is_incremental() %}
where {{ in_changed_cases('child.case_id') }}
{% endif %}
