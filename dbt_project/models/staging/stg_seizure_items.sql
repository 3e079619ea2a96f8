-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

select
    {{ parse_int('item_id') }}                           as item_id,
    trim(item_id)                                        as item_pk,
    {{ parse_int('case_id') }}                           as case_id,
    case_id                                              as case_id_raw,
    hs_code                                              as hs_code_raw,
    {{ clean_text('description') }}                      as description,
    {{ parse_quantity('quantity') }}                     as quantity,
    quantity                                             as quantity_raw,
    {{ clean_text('unit') }}                             as unit,
    {{ parse_money('value_pkr') }}                       as value_pkr,
    value_pkr                                            as value_pkr_raw,
    {{ clean_code('origin_country') }}                   as origin_country,
    {{ clean_text('concealment') }}                      as concealment,
    {{ audit_columns() }}
from {{ source('raw', 'seizure_items') }}
{% if is_incremental() %}
where {{ raw_in_changed_cases('case_id') }}
{% endif %}
