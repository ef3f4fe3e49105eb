"""Chart builders: pure functions from a DataFrame to a Plotly figure, no data access."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

PALETTE = ["#c8161d", "#e07b39", "#3b6ea5", "#5c9e6f", "#8c6bb1", "#999999"]
FONT = "WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def _layout(figure: go.Figure, title: str) -> go.Figure:
    figure.update_layout(
        title={"text": title, "x": 0.0, "font": {"size": 16}},
        font={"family": FONT},
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        plot_bgcolor="white",
        hovermode="x unified",
        height=360,
    )
    figure.update_xaxes(showgrid=False)
    figure.update_yaxes(gridcolor="#eeeeee", rangemode="tozero")
    return figure


def trend_line(series: pd.DataFrame, title: str, value_label: str) -> go.Figure:
    """A KPI over months (`month`, `value` columns), with the first and last values marked."""
    figure = go.Figure(
        go.Scatter(
            x=series["month"],
            y=series["value"],
            mode="lines+markers",
            line={"color": PALETTE[0], "width": 3},
            marker={"size": 6},
            name=value_label,
            hovertemplate="%{x}: %{y:,.0f}<extra></extra>",
        )
    )
    if not series.empty:
        ends = series.iloc[[0, -1]]
        figure.add_trace(
            go.Scatter(
                x=ends["month"],
                y=ends["value"],
                mode="text",
                text=[f"{v:,.0f}" for v in ends["value"]],
                textposition="top center",
                textfont={"size": 14, "color": PALETTE[0]},
                showlegend=False,
                hoverinfo="skip",
            )
        )
    figure.update_layout(showlegend=False)
    figure.update_xaxes(tickformat="%Y-%m", hoverformat="%Y-%m")
    return _layout(figure, title)


def district_bars(frame: pd.DataFrame, title: str, name_column: str) -> go.Figure:
    """A KPI per district (`value` and a name column), largest first."""
    ordered = frame.sort_values("value")
    figure = go.Figure(
        go.Bar(
            x=ordered["value"],
            y=ordered[name_column],
            orientation="h",
            marker={"color": PALETTE[2]},
            hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
            customdata=ordered["district_code"],
        )
    )
    figure.update_layout(hovermode="closest")
    return _layout(figure, title)
