-- depends_on: {{ ref('stg_changed_cases') }}
-- depends_on: {{ ref('int_touched_vehicles') }}
{{ config(materialized='incremental', pre_hook="{{ delete_rebuilt_rows() }}",
          meta={"rebuilt_by": "vehicles"}) }}

-- One row per live case vehicle of a live case: which resolved vehicle it is and how often
-- that vehicle had been seized before.
--
-- vehicle_key      'V' || the smallest case_vehicle_id of the vehicle's component
--                  (int_vehicle_components): stable across refreshes while the vehicle's
--                  rows are unchanged; when two vehicles merge the smaller key survives.
-- prior_seizures   case-vehicle rows of the same vehicle in other cases with an earlier
--                  seizure date (rows of the same case share its date, so "earlier" alone
--                  excludes them); NULL when this row's seizure date is unknown, and rows
--                  with an unknown date never count as earlier.
-- prior_cases      the distinct cases among those rows.
-- prior_formations distinct (known) formations among those rows.
-- is_repeat        prior_seizures > 0 (NULL when the seizure date is unknown).
-- match_basis      the identifier kinds this row shares with at least one other row of its
--                  vehicle, `+`-joined in the order chassis, engine, registration
--                  (`chassis`, `engine+registration`, ...); `none` for a vehicle seen once.
--                  Sharing a normalised identifier always means the same vehicle, so a row
--                  of a vehicle seen more than once is never `none`.
--
-- Every column of a row depends only on the rows of its vehicle (a shared identifier links
-- rows into one vehicle, so the chassis, engine and registration partitions lie inside it).
-- An incremental build (macros/changed_cases.sql) rebuilds the vehicles the changed cases
-- touch, as they were and as they are now (a merge, a split: int_touched_vehicles); the rows
-- of the vehicles no longer in the table are the ones to insert again, every row of such a
-- vehicle with them.
with all_vehicles as (
    select
        i.*,
        'V' || comp.vehicle_root_id                              as vehicle_key,
        c.seizure_date,
        c.seizure_month,
        c.formation_code
    from {{ ref('int_case_vehicle_identity') }} as i
    inner join {{ ref('int_vehicle_components') }} as comp
        on comp.case_vehicle_id = i.case_vehicle_id
    inner join {{ ref('fct_cases') }} as c
        on c.case_id = i.case_id
),

vehicles as (
    select * from all_vehicles
    {% if is_incremental() %}
    where vehicle_key in (
        select a.vehicle_key from all_vehicles as a
        where not exists (select 1 from {{ this }} as t where t.case_vehicle_id = a.case_vehicle_id))
    {% endif %}
),

flagged as (
    select
        *,
        count(*) over (partition by vehicle_key)                  as n_vehicle_seizures,
        chassis_norm is not null
            and count(*) over (partition by chassis_norm) > 1     as shares_chassis,
        engine_norm is not null
            and count(*) over (partition by engine_norm) > 1      as shares_engine,
        registration_norm is not null
            and count(*) over (partition by registration_norm) > 1 as shares_registration,
        -- first row of each (vehicle, case) and (vehicle, formation) with a known date:
        -- counted once in prior_cases / prior_formations
        seizure_date is not null and row_number() over (
            partition by vehicle_key, case_id order by case_vehicle_id) = 1 as is_first_of_case,
        seizure_date is not null and formation_code is not null and row_number() over (
            partition by vehicle_key, formation_code
            order by seizure_date asc nulls last, case_vehicle_id) = 1   as is_first_of_formation
    from vehicles
),

-- Earlier seizures are counted per vehicle and date, then summed over the vehicle's earlier
-- dates (a running frame over its dates, not a range frame with filtered counts over its rows:
-- on a vehicle of millions of rows that frame ran for more than 22 minutes).
seizures_by_date as (
    select
        vehicle_key,
        seizure_date,
        count(*)                                       as n_rows,
        count(*) filter (where is_first_of_case)       as n_first_of_case,
        count(*) filter (where is_first_of_formation)  as n_first_of_formation
    from flagged
    where seizure_date is not null
    group by vehicle_key, seizure_date
),

earlier_by_date as (
    select
        vehicle_key,
        seizure_date,
        coalesce(sum(n_rows) over earlier_dates, 0)::bigint                as n_earlier_rows,
        coalesce(sum(n_first_of_case) over earlier_dates, 0)::bigint       as n_earlier_cases,
        coalesce(sum(n_first_of_formation) over earlier_dates, 0)::bigint  as n_earlier_formations
    from seizures_by_date
    window earlier_dates as (
        partition by vehicle_key
        order by seizure_date
        rows between unbounded preceding and 1 preceding
    )
),

earlier as (
    select f.*, e.n_earlier_rows, e.n_earlier_cases, e.n_earlier_formations
    from flagged as f
    left join earlier_by_date as e
        on e.vehicle_key = f.vehicle_key and e.seizure_date = f.seizure_date
)

select
    case_vehicle_id,
    case_id,
    vehicle_key,
    seizure_date,
    seizure_month,
    formation_code,
    chassis_norm                                                  as chassis_no,
    engine_norm                                                   as engine_no,
    registration_norm                                             as registration_no,
    chassis_no_raw,
    engine_no_raw,
    registration_no_raw,
    vehicle_type,
    involvement,
    confiscated_u_s_157,
    value_pkr,
    case when seizure_date is not null then n_earlier_rows end        as prior_seizures,
    case when seizure_date is not null then n_earlier_cases end       as prior_cases,
    case when seizure_date is not null then n_earlier_formations end  as prior_formations,
    case when seizure_date is not null then n_earlier_rows > 0 end    as is_repeat,
    coalesce(
        nullif(concat_ws('+',
            case when shares_chassis then 'chassis' end,
            case when shares_engine then 'engine' end,
            case when shares_registration then 'registration' end), ''),
        'none')                                                   as match_basis,
    n_vehicle_seizures
from earlier
