-- depends_on: {{ ref('int_touched_vehicles') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "vehicles"}) }}

-- One row per resolved vehicle (a connected component of live case vehicles sharing a
-- normalised chassis, engine or registration number; see int_vehicle_components).
-- chassis_no / engine_no / registration_no: the normalised number most frequent among the
-- vehicle's rows (rows where it is missing do not vote); ties go to the alphabetically
-- smallest; NULL when no row has one.
-- n_distinct_chassis / n_distinct_engines: distinct normalised (macros/vehicles.sql, as the
-- vehicle rule uses them) non-missing chassis / engine numbers among the vehicle's rows;
-- has_identity_conflict: two or more of either. The rule still makes them one vehicle
-- (sameness is transitive): a registration shared by a car and a truck joins them. The flag
-- says the evidence disagrees (plate reuse, a swapped engine, a mistyped number).
-- A row depends only on the vehicle's rows: an incremental build rebuilds the touched
-- vehicles (int_touched_vehicles, macros/changed_cases.sql).
with rows_ as (
    select * from {{ ref('mart_vehicle_recidivism') }}
    {% if is_incremental() %}
    where {{ in_touched_vehicles('vehicle_key') }}
    {% endif %}
),

{% for kind in ['chassis', 'engine', 'registration'] %}
{{ kind }}_mode as (
    select vehicle_key, {{ kind }}_no, n_rows as {{ kind }}_no_rows
    from (
        select vehicle_key, {{ kind }}_no, count(*) as n_rows
        from rows_
        where {{ kind }}_no is not null
        group by vehicle_key, {{ kind }}_no
    )
    qualify row_number() over (partition by vehicle_key order by n_rows desc, {{ kind }}_no asc) = 1
),

{% endfor %}
summary as (
    select
        vehicle_key,
        count(*)                                     as n_seizures,
        count(distinct case_id)                      as n_cases,
        count(distinct formation_code)               as n_formations,
        min(seizure_date)                            as first_seized_date,
        max(seizure_date)                            as last_seized_date,
        count(distinct chassis_no)                   as n_chassis_numbers,
        count(distinct engine_no)                    as n_engine_numbers,
        count(distinct registration_no)              as n_registration_numbers,
        count(distinct chassis_no)                   as n_distinct_chassis,
        count(distinct engine_no)                    as n_distinct_engines,
        sum(coalesce(value_pkr, 0))                  as vehicle_value_pkr,
        min(case_vehicle_id)                         as first_case_vehicle_id
    from rows_
    group by vehicle_key
)

select
    s.vehicle_key,
    ch.chassis_no,
    en.engine_no,
    rg.registration_no,
    s.n_seizures,
    s.n_cases,
    s.n_formations,
    s.first_seized_date,
    s.last_seized_date,
    s.n_cases >= 2                                   as is_repeat_vehicle,
    s.n_chassis_numbers,
    s.n_engine_numbers,
    s.n_registration_numbers,
    s.n_distinct_chassis,
    s.n_distinct_engines,
    s.n_distinct_chassis > 1 or s.n_distinct_engines > 1 as has_identity_conflict,
    s.vehicle_value_pkr,
    s.first_case_vehicle_id
from summary as s
left join chassis_mode as ch on ch.vehicle_key = s.vehicle_key
left join engine_mode as en on en.vehicle_key = s.vehicle_key
left join registration_mode as rg on rg.vehicle_key = s.vehicle_key
