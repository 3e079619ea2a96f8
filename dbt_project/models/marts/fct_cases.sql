-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_case_groups') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "cases"}) }}

-- One row per live case (deleted_at is NULL): every one of them, whatever its data quality
-- (suspect cases are flagged in data_quality_issues, never dropped).
with cases as (
    select * from {{ ref('stg_cases') }} as c
    where {{ is_live_case('c') }}
    {% if is_incremental() %}
    and {{ in_changed_cases('c.case_id') }}
    {% endif %}
),

formations as (
    select formation_code, min(formation_name) as formation_name
    from {{ ref('stg_formations') }}
    group by formation_code
)

select
    c.case_id,
    c.case_no,
    c.formation_code,
    f.formation_name,
    c.seizure_at_utc,
    c.seizure_date,
    {{ month_start('c.seizure_date') }}            as seizure_month,
    c.created_at_utc,
    c.created_date,
    datediff('day', c.seizure_date, c.created_date) as upload_lag_days,
    c.status,
    c.adjudication_outcome,
    c.adjudication_outcome is not null             as is_adjudicated,
    c.adjudicated_on,
    c.detection_method,
    c.offence_nature,
    c.seizure_location_id,
    c.origin_location_id,
    c.destination_location_id,
    c.route_via,
    c.legal_sections,
    c.redemption_fine_pkr,
    c.personal_penalty_pkr,
    c.fir_no,
    v.goods_value_pkr,
    v.vehicle_value_pkr,
    v.total_value_pkr,
    v.n_items,
    v.n_vehicles,
    v.n_persons,
    c.updated_at_utc
from cases as c
inner join {{ ref('int_case_values') }} as v
    on v.case_id = c.case_id
left join formations as f
    on f.formation_code = c.formation_code
