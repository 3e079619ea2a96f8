{#-
  Liveness, the contract's "only live source rows count": a row is live when its own
  deleted_at is NULL and, for a child of a case, its parent case exists and is live.
  A child row that is itself live but whose case is deleted or missing is an orphan:
  it is quarantined (kept out of every mart, reported in data_quality_issues).

  Used by every int_ model of a case child table:
      from {{ ref('stg_x') }} as child
      left join {{ ref('stg_cases') }} as parent_case on parent_case.case_id = child.case_id
-#}
{% macro parent_case_state(parent_alias='parent_case') -%}
    case
        when {{ parent_alias }}.case_id is null then 'missing'
        when not {{ is_live_case(parent_alias) }} then 'deleted'
        else 'live'
    end
{%- endmacro %}

{% macro is_live_child(child_alias='child', parent_alias='parent_case') -%}
    (not {{ child_alias }}.is_deleted
     and {{ parent_alias }}.case_id is not null
     and {{ is_live_case(parent_alias) }})
{%- endmacro %}

{#- A live row of the child table whose parent case is not live. -#}
{% macro is_orphan_child(child_alias='child', parent_alias='parent_case') -%}
    (not {{ child_alias }}.is_deleted
     and ({{ parent_alias }}.case_id is null or not {{ is_live_case(parent_alias) }}))
{%- endmacro %}

{#- A case is live when it is not soft-deleted. -#}
{% macro is_live_case(case_alias) -%}
    (not {{ case_alias }}.is_deleted)
{%- endmacro %}
