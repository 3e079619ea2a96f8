select
    {{ clean_text('formation_code') }}                   as formation_code,
    {{ clean_text('name') }}                             as formation_name,
    {{ clean_code('kind') }}                             as formation_kind,
    {{ clean_text('region') }}                           as region,
    {{ clean_text('city') }}                             as city,
    {{ clean_text('parent_code') }}                      as parent_code,
    {{ audit_columns(deletable=false) }}
from {{ source('raw', 'formations') }}
