-- One row per location of the store (its latest version): the reference data every view
-- of places needs, whatever the reader may see of the flows through them.
select location_id, location_name, location_kind, district, province, country, latitude, longitude
from {{ ref('stg_locations') }}
where location_id is not null
qualify row_number() over (partition by location_id order by updated_at_utc desc nulls last) = 1
