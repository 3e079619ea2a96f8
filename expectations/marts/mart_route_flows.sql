-- Batch of suite marts.mart_route_flows: every row of the built mart.
select
    strftime(seizure_month, '%Y-%m-%d')                                 as seizure_month,
    origin_location_id,
    seizure_location_id,
    destination_location_id,
    n_cases,
    cast(total_value_pkr as double)                                     as total_value_pkr
from marts.mart_route_flows
