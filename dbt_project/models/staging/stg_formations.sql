select
    {{ clean_text('formation_code') }}                   as formation_code,
    {{ clean_text('name') }}                             as formation_name,
    {{ clean_code('kind') }}                             as formation_kind,
    {{ clean_text('region') }}                           as region,
    {{ clean_text('city') }}                             as city,
    {{ clean_text('parent_code') }}                      as parent_code,
    {{ parse_utc_timestamp('created_at') }}              as created_at_utc,
    {{ parse_utc_timestamp('updated_at') }}              as updated_at_utc
from {{ source('raw', 'formations') }}
