select
    {{ parse_int('location_id') }}                       as location_id,
    trim(location_id)                                    as location_pk,
    {{ clean_text('name') }}                             as location_name,
    {{ clean_code('kind') }}                             as location_kind,
    {{ clean_text('district') }}                         as district,
    {{ clean_text('province') }}                         as province,
    {{ clean_code('country') }}                          as country,
    {{ parse_coordinate('latitude', 'latitude') }}       as latitude,
    latitude                                             as latitude_raw,
    {{ parse_coordinate('longitude', 'longitude') }}     as longitude,
    longitude                                            as longitude_raw,
    {{ audit_columns(deletable=false) }}
from {{ source('raw', 'locations') }}
