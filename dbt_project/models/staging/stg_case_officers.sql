-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

select
    {{ parse_int('case_id') }}                           as case_id,
    {{ parse_int('officer_id') }}                        as officer_id,
    {{ clean_code('role') }}                             as role,
    -- the composite primary key as the source holds it, `case_id|officer_id|role`, a missing
    -- part left empty (`12||TEAM_MEMBER`): concat_ws alone would skip it and make
    -- (NULL, 12, X) and (12, NULL, X) the same key
    concat_ws('|', coalesce(trim(case_id), ''), coalesce(trim(officer_id), ''), coalesce(trim(role), '')) as case_officer_pk,
    -- SQLite lets a composite key hold NULLs: such a row cannot be told apart from another
    -- and is quarantined (incomplete_key)
    ({{ clean_text('case_id') }} is null or {{ clean_text('officer_id') }} is null
     or {{ clean_text('role') }} is null)                as is_key_incomplete,
    case_id                                              as case_id_raw,
    officer_id                                           as officer_id_raw,
    {{ audit_columns() }}
from {{ source('raw', 'case_officers') }}
{% if is_incremental() %}
where {{ raw_in_changed_cases('case_id') }}
{% endif %}
