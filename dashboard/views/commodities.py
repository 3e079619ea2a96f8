"""Commodities: seized goods by HS section → chapter → heading → subheading, the trend of
the chosen code against the year before, and the notified items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import data, filters, ui
from dashboard.formatting import (
    MISSING,
    format_change_pct,
    format_count,
    format_month,
    format_pkr,
    format_pkr_compact,
    format_pkr_exact,
    format_share,
    money_scale,
    pct_change,
)

PAGE = "commodities"
PAGE_TITLE = "Commodities"
PARAM = "hs"
LEVELS = ("section", "chapter", "heading", "subheading")
LEVEL_NOUNS = {"section": "Section", "chapter": "Chapter", "heading": "Heading", "subheading": "Subheading"}
CHILD_LEVEL = {None: "section", "section": "chapter", "chapter": "heading", "heading": "subheading"}
ROMAN = {
    numeral: n
    for n, numeral in enumerate(
        "I II III IV V VI VII VIII IX X XI XII XIII XIV XV XVI XVII XVIII XIX XX XXI XXII".split(), start=1
    )
}
SECTION_COLOURS = ["#1f5f8b", "#5b6770", "#3f9a6e", "#7a5aa6", "#c7a23a", "#2b9bb5", "#e08a2c", "#6b8e23"]
NO_SECTION = "—"
OUTLINE_WIDTH = 2
CHOSEN_OUTLINE = "#1b1f24"


def _level_of(code: str) -> str | None:
    if not code:
        return None
    if code in ROMAN:
        return "section"
    return {2: "chapter", 4: "heading", 6: "subheading"}.get(len(code)) if code.isdigit() else None


def _path(code: str, sections: dict[str, str]) -> dict[str, str | None]:
    """The section, chapter, heading and subheading a code sits under (itself included)."""
    level = _level_of(code)
    path: dict[str, str | None] = dict.fromkeys(LEVELS)
    if level is None:
        return path
    if level == "section":
        path["section"] = code
        return path
    path["chapter"] = code[:2]
    path["section"] = sections.get(code[:2])
    if level in ("heading", "subheading"):
        path["heading"] = code[:4]
    if level == "subheading":
        path["subheading"] = code
    return path


def _describe(level: str, code: str, descriptions: dict[str, str], width: int | None = None) -> str:
    text = descriptions.get(f"{level}:{code}", "")
    if width and len(text) > width:
        text = text[: width - 1].rstrip() + "…"
    return text


def _codes_under(totals: pd.DataFrame, level: str, parent: dict[str, str | None], sections: dict[str, str]) -> list[str]:
    codes = totals.loc[totals["hs_level"] == level, "hs_code"].dropna().astype(str).tolist()
    if level == "section":
        return sorted(set(codes), key=lambda c: ROMAN.get(c, 99))
    if level == "chapter":
        section = parent.get("section")
        if section == NO_SECTION:
            codes = [c for c in codes if c not in sections]
        elif section:
            codes = [c for c in codes if sections.get(c) == section]
    elif level == "heading" and parent.get("chapter"):
        codes = [c for c in codes if c.startswith(str(parent["chapter"]))]
    elif level == "subheading" and parent.get("heading"):
        codes = [c for c in codes if c.startswith(str(parent["heading"]))]
    return sorted(set(codes))


def _on_pick(level: str) -> None:
    value = st.session_state.get(f"{PAGE}_{level}")
    if value:
        filters.set_bound(PARAM, value)
        return
    # Cleared: go up to the level above.
    index = LEVELS.index(level)
    parent = None
    for upper in reversed(LEVELS[:index]):
        parent = st.session_state.get(f"{PAGE}_{upper}")
        if parent:
            break
    filters.set_bound(PARAM, parent or "")


def _drill_down(totals: pd.DataFrame, sections: dict[str, str], descriptions: dict[str, str]) -> tuple[str | None, str | None]:
    """The four HS pickers; returns the chosen (level, code), (None, None) for everything."""
    code = filters.bound_value(
        f"{PAGE}_code",
        PARAM,
        default="",
        parse=lambda values: values[0].strip().upper() if values and _level_of(values[0].strip().upper()) else None,
        dump=lambda v: [v] if v else [],
    )
    path = _path(code, sections)
    columns = st.columns(4)
    chosen_level, chosen_code = None, None
    for column, level in zip(columns, LEVELS, strict=True):
        index = LEVELS.index(level)
        parent_chosen = index <= 1 or path[LEVELS[index - 1]] is not None  # chapters: with or without a section
        options = _codes_under(totals, level, path, sections) if parent_chosen else []
        key = f"{PAGE}_{level}"
        current = path[level]
        if current is not None and current not in options:
            options = options + [current]
        st.session_state[key] = current
        with column:
            st.selectbox(
                LEVEL_NOUNS[level],
                options,
                index=None,  # empty = "All"
                key=key,
                placeholder="All" if parent_chosen else "—",
                disabled=not options,
                format_func=lambda c, level=level: f"{c} · {_describe(level, c, descriptions, 48)}".rstrip(" ·"),
                on_change=_on_pick,
                args=(level,),
            )
        if current is not None:
            chosen_level, chosen_code = level, current
    filters.write_bound(PARAM, [code] if code else [])
    return chosen_level, chosen_code


def _node_id(level: str, code: str) -> str:
    return f"{level}:{code}"


def _treemap(
    totals: pd.DataFrame,
    sections: dict[str, str],
    descriptions: dict[str, str],
    notified: dict[str, str],
    chosen: tuple[str | None, str | None],
) -> None:
    current = totals[totals["value_pkr"] > 0]
    if current.empty:
        ui.empty("No seized items with a known HS code in the selected months and formations.")
        return
    values = {(r.hs_level, r.hs_code): float(r.value_pkr) for r in current.itertuples()}
    items = {(r.hs_level, r.hs_code): int(r.n_items) for r in current.itertuples()}
    parent_of: dict[tuple[str, str], tuple[str, str]] = {}
    for level, code in values:
        if level == "chapter":
            section = sections.get(code)
            parent_of[(level, code)] = ("section", section) if section else ("section", NO_SECTION)
        elif level == "heading":
            parent_of[(level, code)] = ("chapter", code[:2])
        elif level == "subheading":
            parent_of[(level, code)] = ("heading", code[:4])
    no_section = [key for key, parent in parent_of.items() if parent == ("section", NO_SECTION)]
    if no_section:
        values[("section", NO_SECTION)] = sum(values[k] for k in no_section)
        items[("section", NO_SECTION)] = sum(items[k] for k in no_section)
    # Plotly drops a node whose children add up to more than it: give each node its own
    # remainder (branchvalues="remainder") and let Plotly add the children.
    child_sum: dict[tuple[str, str], float] = {}
    for key, parent in parent_of.items():
        if key in values and parent in values:
            child_sum[parent] = child_sum.get(parent, 0.0) + values[key]
    level, code = chosen
    # A subheading has no children to show: draw its heading, the subheading outlined among
    # its siblings (a lone box would read as the whole, labelled with its share of the heading).
    chosen_id = _node_id(level, code) if level and code else None
    root_level, root_code = ("heading", code[:4]) if level == "subheading" and code else (level, code)
    section_colour = {
        code: SECTION_COLOURS[i % len(SECTION_COLOURS)]
        for i, code in enumerate(sorted({c for (lvl, c) in values if lvl == "section"}, key=lambda c: ROMAN.get(c, 99)))
    }
    ids, labels, parents, own, colours, hover = ["all"], ["All seized goods"], [""], [0.0], ["#ffffff"], ["All"]
    outlines = ["#ffffff"]
    total = sum(v for (lvl, _), v in values.items() if lvl == "section")
    scale = money_scale([total])
    for (level, code), value in sorted(values.items(), key=lambda kv: (LEVELS.index(kv[0][0]), kv[0][1])):
        if level != "section" and parent_of.get((level, code)) not in values:
            continue  # orphan (its parent has no value): not drawn
        ids.append(_node_id(level, code))
        parents.append("all" if level == "section" else _node_id(*parent_of[(level, code)]))
        own.append(max(value - child_sum.get((level, code), 0.0), 0.0))
        desc = "No section" if code == NO_SECTION else _describe(level, code, descriptions, 34)
        heading = code[:4] if level in ("heading", "subheading") else None
        is_notified = heading is not None and heading in notified
        label = f"{code}" if code != NO_SECTION else "No section"
        if desc and code != NO_SECTION:
            label += f"<br>{desc}"
        if is_notified:
            label += "<br><i>notified</i>"
        labels.append(label)
        section = code if level == "section" else sections.get(code[:2], NO_SECTION)
        colours.append(ui.HIGHLIGHT_COLOUR if is_notified else section_colour.get(section, ui.MUTED_COLOUR))
        contains = is_notified or (level == "chapter" and any(h.startswith(code) for h in notified)) or (
            level == "section" and any(sections.get(h[:2]) == code for h in notified)
        )
        if _node_id(level, code) == chosen_id and level == "subheading":
            outlines.append(CHOSEN_OUTLINE)
        else:
            outlines.append(ui.HIGHLIGHT_COLOUR if contains and not is_notified else "#ffffff")
        hover.append(
            f"{LEVEL_NOUNS[level]} {code}<br>{format_pkr(value, scale)} · {format_count(items[(level, code)])} items"
            + (f"<br>notified: {notified[heading]}" if is_notified else "")
        )
    root = _node_id(root_level, root_code) if root_level and root_code and _node_id(root_level, root_code) in ids else "all"
    # The box a view starts from carries no percentage (it is the whole of that view); the
    # others show their share of the box they sit in, as the table below does.
    templates = ["%{label}" if node == root else "%{label}<br>%{percentParent:.0%}" for node in ids]
    fig = go.Figure(
        go.Treemap(
            ids=ids,
            labels=labels,
            parents=parents,
            values=own,
            branchvalues="remainder",
            level=root,
            maxdepth=3,
            # One outline width for every box: Plotly's path bar reads the width as a number,
            # and a list of widths made it draw "NaN" paths (console errors on every drill step).
            marker=dict(colors=colours, line=dict(color=outlines, width=OUTLINE_WIDTH)),
            customdata=hover,
            hovertemplate="%{customdata}<extra></extra>",
            texttemplate=templates,
            pathbar=dict(visible=True),
            sort=True,
        )
    )
    ui.base_layout(fig, title="Seized goods value by HS code", height=520)
    fig.update_layout(margin=dict(l=4, r=4, t=28, b=4))
    ui.plot(fig, key=f"{PAGE}_treemap")
    st.caption(
        "Red: notified items; a red outline marks a section or chapter that holds some"
        + (f"; the dark outline marks subheading {chosen[1]}" if chosen[0] == "subheading" else "")
        + ". Percentages are shares of the box above. Click a box to zoom in; the pickers above set the "
        "starting point."
    )


@dataclass(frozen=True)
class YearBefore:
    """The months compared with a year before (:func:`data.hs_comparison_months`), and how
    to say so; the table, the tiles and their captions all use this one."""

    first: date | None
    last: date | None
    period_first: date
    period_last: date

    @property
    def available(self) -> bool:
        return self.first is not None and self.last is not None

    @property
    def partial(self) -> bool:
        return self.available and (self.first, self.last) != (self.period_first, self.period_last)

    def months(self) -> str:
        assert self.first is not None and self.last is not None
        if self.first == self.last:
            return format_month(self.first)
        return f"{format_month(self.first)} – {format_month(self.last)}"

    def note(self) -> str | None:
        """The caption under the table and the tiles, or None when every month compares."""
        if not self.available:
            return (
                "No comparison with a year before: the warehouse has no data a year before these months."
            )
        if self.partial:
            return (
                f"A year before and change: {self.months()} against the same months a year earlier "
                "(the only months of the period the warehouse has data a year before)."
            )
        return None


def _year_before(snapshot: data.Snapshot, flt: filters.Filters) -> YearBefore:
    first, last = data.hs_comparison_months(snapshot, flt.start, flt.end)
    period_first, period_last = flt.month_range
    if last is not None:  # the months drawn end at the current month
        period_last = min(period_last, max(last, period_first))
    return YearBefore(first, last, period_first, period_last)


def _parent_value(totals: pd.DataFrame, level: str | None, code: str | None, sections: dict[str, str]) -> float:
    """The value of the box a table's rows sit in, as the treemap draws it."""
    if level is None:  # every section, and the chapters of no section
        chapters = totals[totals["hs_level"] == "chapter"]
        no_section = chapters[~chapters["hs_code"].isin(list(sections))]["value_pkr"].sum()
        return float(totals.loc[totals["hs_level"] == "section", "value_pkr"].sum() + no_section)
    if code == NO_SECTION:
        chapters = totals[totals["hs_level"] == "chapter"]
        return float(chapters[~chapters["hs_code"].isin(list(sections))]["value_pkr"].sum())
    return float(totals.loc[(totals["hs_level"] == level) & (totals["hs_code"] == code), "value_pkr"].sum())


def _children_table(
    totals: pd.DataFrame,
    chosen: tuple[str | None, str | None],
    sections: dict[str, str],
    descriptions: dict[str, str],
    notified: dict[str, str],
    year_before: YearBefore,
) -> None:
    level, code = chosen
    chosen_subheading = code if level == "subheading" else None
    if level == "subheading" and code:  # no children: the subheadings of its heading, as the treemap
        level, code = "heading", code[:4]
    child_level = CHILD_LEVEL[level]
    path = _path(code, sections) if code else dict.fromkeys(LEVELS)
    codes = set(_codes_under(totals, child_level, path, sections))
    rows = totals[(totals["hs_level"] == child_level) & totals["hs_code"].isin(codes)]
    rows = rows.sort_values(["value_pkr", "hs_code"], ascending=[False, True])
    title = "HS sections" if level is None else f"{LEVEL_NOUNS[child_level]}s under {LEVEL_NOUNS[level].lower()} {code}"
    ui.chart_title(title)
    if rows.empty:
        ui.empty("Nothing seized under this code in the selected months and formations.")
        return
    scale = ui.table_money_scale(rows["value_pkr"], rows["value_pkr_compared"], rows["value_pkr_last_year"])
    parent_total = _parent_value(totals, level, code, sections)
    notified_of = [notified.get(str(c)[:4], "") if child_level in ("heading", "subheading") else "" for c in rows["hs_code"]]
    display = pd.DataFrame(
        {
            "Code": rows["hs_code"],
            "Description": [_describe(child_level, c, descriptions) for c in rows["hs_code"]],
            "Notified": notified_of,
            "Cases": rows["n_cases"],
            "Value": rows["value_pkr"] / scale.divisor,
            "Share": 100 * rows["value_pkr"] / parent_total if parent_total else 0.0,
            "Compared": rows["value_pkr_compared"] / scale.divisor,
            "A year before": rows["value_pkr_last_year"] / scale.divisor,
            "Change": rows["yoy_change_pct"],
        }
    )
    if not any(notified_of):
        display = display.drop(columns=["Notified"])
    if not year_before.available:  # the months a year earlier are before the warehouse's data
        display = display.drop(columns=["Compared", "A year before", "Change"])
    elif not year_before.partial:  # the compared months are the period's: "Value" already
        display = display.drop(columns=["Compared"])

    def row_style(row: pd.Series) -> list[str]:
        css = "background-color: rgba(184, 68, 60, 0.12)" if row.get("Notified") else ""
        if chosen_subheading is not None and row["Code"] == chosen_subheading:
            css = (css + "; " if css else "") + "font-weight: 700"
        return [css for _ in row]

    styled = ui.formatted(
        display.style.apply(row_style, axis=1),
        {
            "Cases": ui.FMT_COUNT,
            "Value": ui.fmt_money(scale),
            "Share": ui.FMT_PERCENT,
            "Compared": ui.fmt_money(scale),
            "A year before": ui.fmt_money(scale),
            "Change": ui.FMT_CHANGE,
        },
    )
    export = rows.assign(
        description=[_describe(child_level, c, descriptions) for c in rows["hs_code"]], notified_category=notified_of
    )
    compared_help = f"Seized in {year_before.months()}, the months compared" if year_before.available else None
    st.dataframe(
        styled,
        placeholder=ui.MISSING_CELL,
        hide_index=True,
        key=f"{PAGE}_children",
        height=min(36 * (len(display) + 1) + 4, 430),
        column_config={
            "Code": st.column_config.TextColumn("Code", width="small"),
            "Description": st.column_config.TextColumn("Description", width=220),
            "Cases": ui.count_column("Cases"),
            "Value": ui.money_column("Value", scale),
            "Share": ui.percent_column("Share", help=f"Share of the value of {title.split(' under ')[-1] if level else 'all seized goods'}"),
            "Compared": ui.money_column("Compared", scale, help=compared_help),
            "A year before": ui.money_column(
                "A year before", scale,
                help=f"Seized in the same months a year earlier ({year_before.months()})" if year_before.available else None,
            ),
            "Change": st.column_config.NumberColumn(
                "Change", format="%+.1f %%", help="Change on a year before, over the months compared"
            ),
        },
    )
    ui.download_buttons(export, f"hs {title}", key=f"{PAGE}_children_download")
    notes = []
    remainder = parent_total - float(rows["value_pkr"].sum())
    if level is not None and parent_total > 0 and remainder > 0.005 * parent_total:
        notes.append(
            f"{format_pkr(remainder)} ({format_share(remainder, parent_total)}) of {LEVEL_NOUNS[level].lower()} {code} "
            f"is in items typed no further than the {LEVEL_NOUNS[level].lower()}: the rest of its box above."
        )
    if note := year_before.note():
        notes.append(note)
    if notes:
        st.caption(" ".join(notes))


def _trend(
    snapshot: data.Snapshot,
    flt: filters.Filters,
    chosen: tuple[str | None, str | None],
    totals: pd.DataFrame,
    year_before: YearBefore,
) -> None:
    level, code = chosen
    if level is None or code == NO_SECTION:
        trend_level, trend_code, what = "chapter", None, "all goods with a known HS chapter"
    else:
        trend_level, trend_code, what = level, code, f"{LEVEL_NOUNS[level].lower()} {code}"
    st.subheader(f"Trend: {what}")
    trend = data.hs_code_trend(snapshot, trend_level, trend_code, flt.start, flt.end, flt.formations)
    if trend.empty or trend["value_pkr"].sum() == 0 and trend["value_pkr_last_year"].fillna(0).sum() == 0:
        ui.empty("Nothing of this code was seized in the selected months, nor a year before.")
        return
    # The tiles are the chosen code's row of the table above (hs_totals): the same months
    # compared, so table, tiles and captions agree.
    if level is None or code == NO_SECTION:
        row = totals[totals["hs_level"] == "chapter"]
    else:
        row = totals[(totals["hs_level"] == level) & (totals["hs_code"] == code)]
    current = float(row["value_pkr"].sum())
    tiles = st.columns(4, border=True)
    tiles[0].metric("Seized value (PKR)", format_pkr_compact(current, prefix=False), help=format_pkr_exact(current))
    if not year_before.available:
        tiles[1].metric("A year before (PKR)", MISSING, help="The warehouse has no data a year before these months.")
        tiles[2].metric("Change on a year before", MISSING)
    else:
        this_year, last_year = float(row["value_pkr_compared"].sum()), float(row["value_pkr_last_year"].sum())
        months = year_before.months()
        tiles[1].metric(
            "A year before (PKR)", format_pkr_compact(last_year, prefix=False),
            help=f"Seized in the same months a year earlier than {months}",
        )
        tiles[2].metric(
            "Change on a year before",
            format_change_pct(pct_change(this_year, last_year)),
            help=f"{format_pkr(this_year)} in {months} against {format_pkr(last_year)} a year earlier",
        )
    tiles[3].metric("Items", format_count(row["n_items"].sum()))
    if note := year_before.note():
        st.caption(note)
    scale = money_scale(pd.concat([trend["value_pkr"], trend["value_pkr_last_year"].fillna(0)]))
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=trend["seizure_month"],
            y=trend["value_pkr"] / scale.divisor,
            name="Seized value",
            marker_color=ui.GOODS_COLOUR,
            customdata=list(
                zip(
                    [format_pkr(v, scale) for v in trend["value_pkr"]],
                    [format_change_pct(v) for v in trend["yoy_change_pct"]],
                    strict=True,
                )
            ),
            hovertemplate="%{customdata[0]} (%{customdata[1]} on a year before)",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=trend["seizure_month"],
            y=trend["value_pkr_last_year"] / scale.divisor,
            name="Same month a year before",
            mode="lines+markers" if len(trend) <= 36 else "lines",
            line=dict(color=ui.VEHICLE_COLOUR, width=2, dash="dot"),
            marker=dict(size=4),
            customdata=[format_pkr(v, scale) for v in trend["value_pkr_last_year"]],
            hovertemplate="%{customdata} a year before",
        )
    )
    ui.base_layout(fig, height=320)
    fig.update_xaxes(tickformat="%b %Y", hoverformat="%B %Y")
    fig.update_yaxes(rangemode="tozero", **ui.money_axis(scale))
    ui.plot(fig, key=f"{PAGE}_trend")
    if trend["value_pkr_last_year"].isna().any():
        st.caption("No year-before line where the warehouse has no data a year earlier.")


def _notified(snapshot: data.Snapshot, flt: filters.Filters) -> None:
    st.subheader("Notified items")
    df = data.notified_items(snapshot, flt.start, flt.end, flt.formations)
    if df.empty:
        ui.empty("No notified items were seized in the selected months and formations.")
        return
    scale = ui.table_money_scale(df["value_pkr"])
    ui.table(
        pd.DataFrame(
            {
                "Category": df["notified_category"],
                "HS headings": df["headings"],
                "Items": df["n_items"],
                "Cases": df["n_cases"],
                "Value": df["value_pkr"] / scale.divisor,
            }
        ),
        name="notified items",
        key=f"{PAGE}_notified",
        export=df,
        column_config={
            "Items": ui.count_column("Items"),
            "Cases": ui.count_column("Cases"),
            "Value": ui.money_column("Value", scale),
        },
    )
    st.caption("Goods whose HS heading is on the list of notified items (highlighted red above).")


def render(snapshot: data.Snapshot) -> None:
    options = ui.page_start(snapshot, "mart_hs_trends")
    if options is None:
        return
    flt = filters.shared_filters(options, PAGE)
    st.caption(flt.scope() + (f" · {flt.months_note()}" if flt.months_note() else ""))
    sections, descriptions, notified = data.hs_reference(snapshot)
    totals = data.hs_totals(snapshot, flt.start, flt.end, flt.formations)
    chosen = _drill_down(totals, sections, descriptions)
    if totals.empty or totals["value_pkr"].sum() == 0 and totals["n_items"].sum() == 0:
        ui.empty("No seized items with a known HS code in the selected period and formations.")
        return
    _treemap(totals, sections, descriptions, notified, chosen)
    year_before = _year_before(snapshot, flt)
    _children_table(totals, chosen, sections, descriptions, notified, year_before)
    _trend(snapshot, flt, chosen, totals, year_before)
    _notified(snapshot, flt)


ui.run_page(PAGE_TITLE, render)
