-- depends_on: {{ ref('stg_changed_cases') }}
{{ config(materialized='incremental', on_schema_change='fail', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- Feed `ncen` (national n-CEN), entity `cases`, nominal: one row per live case (fct_cases),
-- with the marts' keys and column names. Also the entity `cases` of the mandate feeds
-- `lea-anf` / `lea-fia`, which the feeds library filters on offence_nature.
with locations as (
    select location_id, location_name from {{ ref('dim_locations') }}
)

select
    cast(c.case_id as bigint)                   as case_id,
    cast(c.case_no as varchar)                  as case_no,
    cast(c.formation_code as varchar)           as formation_code,
    cast(c.formation_name as varchar)           as formation_name,
    cast(c.seizure_date as date)                as seizure_date,
    cast(c.created_date as date)                as created_date,
    cast(c.upload_lag_days as bigint)           as upload_lag_days,
    cast(c.status as varchar)                   as status,
    cast(c.adjudication_outcome as varchar)     as adjudication_outcome,
    cast(c.adjudicated_on as date)              as adjudicated_on,
    cast(c.detection_method as varchar)         as detection_method,
    cast(c.offence_nature as varchar)           as offence_nature,
    cast(c.legal_sections as varchar)           as legal_sections,
    cast(c.fir_no as varchar)                   as fir_no,
    cast(c.seizure_location_id as bigint)       as seizure_location_id,
    cast(sl.location_name as varchar)           as seizure_location_name,
    cast(c.origin_location_id as bigint)        as origin_location_id,
    cast(ol.location_name as varchar)           as origin_location_name,
    cast(c.destination_location_id as bigint)   as destination_location_id,
    cast(dl.location_name as varchar)           as destination_location_name,
    cast(c.route_via as varchar)                as route_via,
    cast(c.redemption_fine_pkr as decimal(18, 2))  as redemption_fine_pkr,
    cast(c.personal_penalty_pkr as decimal(18, 2)) as personal_penalty_pkr,
    cast(c.goods_value_pkr as decimal(38, 2))   as goods_value_pkr,
    cast(c.vehicle_value_pkr as decimal(38, 2)) as vehicle_value_pkr,
    cast(c.total_value_pkr as decimal(38, 2))   as total_value_pkr,
    cast(c.n_items as bigint)                   as n_items,
    cast(c.n_vehicles as bigint)                as n_vehicles,
    cast(c.n_persons as bigint)                 as n_persons
from {{ ref('fct_cases') }} as c
left join locations as sl on sl.location_id = c.seizure_location_id
left join locations as ol on ol.location_id = c.origin_location_id
left join locations as dl on dl.location_id = c.destination_location_id
{% if is_incremental() %}
where {{ in_changed_cases('c.case_id') }}
{% endif %}
