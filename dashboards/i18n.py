"""The dashboards' interface text in Chinese (default) and English."""

from __future__ import annotations

import streamlit as st

TEXT: dict[str, dict[str, str]] = {
    "app_title": {"zh": "小哥友好城市 指标仓", "en": "Courier-Friendly City KPIs"},
    "overview": {"zh": "总览", "en": "Overview"},
    "operations": {"zh": "报告与运维", "en": "Reports and operations"},
    "quality": {"zh": "数据质量", "en": "Data quality"},
    "dictionary": {"zh": "指标说明", "en": "KPI dictionary"},
    "terms": {"zh": "术语", "en": "Terms"},
    "terms_note": {
        "zh": "定义中【】内的术语按下表理解,其定义是引用它的每个指标定义的一部分。",
        "en": "A term in 【】 in a definition means what this table says; its text is part of every definition that names it.",
    },
    "term_name": {"zh": "名称", "en": "Term"},
    "term_definition": {"zh": "定义", "en": "Definition"},
    "model_docs": {"zh": "模型文档", "en": "Model docs"},
    "no_model_docs": {
        "zh": "还没有模型文档。运行 `xiaoge docs` 生成。",
        "en": "No model docs yet. Run `xiaoge docs`.",
    },
    "analysts_only": {"zh": "此页仅限分析人员。", "en": "This page is for analysts only."},
    "reports": {"zh": "月度报告", "en": "Monthly packs"},
    "bigscreen": {"zh": "大屏", "en": "Big screen"},
    "language": {"zh": "语言 / Language", "en": "语言 / Language"},
    "month": {"zh": "月份", "en": "Month"},
    "district": {"zh": "区县", "en": "District"},
    "group": {"zh": "群体", "en": "Group"},
    "platform": {"zh": "平台", "en": "Platform"},
    "all": {"zh": "全部", "en": "All"},
    "whole_city": {"zh": "全市", "en": "Whole city"},
    "no_data": {
        "zh": "还没有已发布的数据。请先运行 `xiaoge demo`,或 `xiaoge ingest` 后 `xiaoge build`。",
        "en": "No data has been published yet. Run `xiaoge demo`, or `xiaoge ingest` then `xiaoge build`.",
    },
    "mom": {"zh": "较上月", "en": "vs last month"},
    "yoy": {"zh": "同比", "en": "vs a year ago"},
    "target": {"zh": "目标", "en": "Target"},
    "trend_title": {"zh": "{name}(按月)", "en": "{name} by month"},
    "by_district_title": {"zh": "{name}:各区县({month})", "en": "{name} by district ({month})"},
    "by_group_title": {"zh": "{name}:按群体", "en": "{name} by group"},
    "by_platform_title": {"zh": "{name}:按平台", "en": "{name} by platform"},
    "drill_hint": {"zh": "点击柱条可下钻到该区县", "en": "Click a bar to drill into the district"},
    "choose_kpi": {"zh": "查看指标", "en": "KPI"},
    "build": {
        "zh": "数据版本 {build_id},构建于 {built_at}",
        "en": "Build {build_id}, built {built_at}",
    },
    "download_csv": {"zh": "下载 CSV", "en": "Download CSV"},
    "alerts": {"zh": "本月预警", "en": "Alerts this month"},
    "no_alerts": {"zh": "本月没有预警。", "en": "No alerts this month."},
    "alert_move": {
        "zh": "{name} 较上月变化 {change}",
        "en": "{name} moved {change} from last month",
    },
    "alert_status": {
        "zh": "{name} 为 {value},本月目标 {target}:{status}({meaning})",
        "en": "{name} is {value} against this month's target of {target}: {status} ({meaning})",
    },
    # the 三色 status on cards (dashboards/card_notes.py)
    "target_now": {"zh": "本月目标(进度)", "en": "Target this month"},
    "goal": {"zh": "目标", "en": "Goal"},
    "goal_by": {"zh": "{goal}({month}前)", "en": "{goal} by {month}"},
    "status": {"zh": "三色状态", "en": "Status"},
    "status_hidden": {"zh": "状态不予显示", "en": "Status hidden"},
    "status_hidden_help": {
        "zh": "本月或上月数值因人数少于 5 人不予显示,其三色状态也不予显示。",
        "en": "This or last month's figure is hidden (fewer than 5 people), so its status is too.",
    },
    "status_rule": {
        "zh": "三色状态:对照本区域当月目标(自起始值至年度目标逐月直线推进的进度值,"
        "个数类目标取整且不降低要求)。"
        "绿色:达到或超过进度;黄色:落后于进度,但差距不超过容差(目标的一定比例,各指标不同);"
        "红色:落后超过容差,或落后于进度且较上月反向变化(显示为“持平”的变化不算)。"
        "全市数字只对照全市目标,区县数字只对照该区县自己的目标。",
        "en": "Status: against the area's target for the month (on a straight line from the "
        "starting figure to the goal; a count's target is a whole number, never below the "
        "line). Green: on or ahead of it; yellow: behind it within the KPI's tolerance (a "
        "share of the target); red: beyond the tolerance, or behind and moved the wrong way "
        "on last month (a change shown as 0 is no move). City figures are judged against "
        "city targets only, a district's against its own targets only.",
    },
    "card_sources": {"zh": "数据来源", "en": "Sources"},
    "card_data_as_of": {"zh": "数据截至", "en": "Data as of"},
    "card_audit": {"zh": "数据质量", "en": "Data quality"},
    "card_build": {"zh": "构建版本", "en": "Build"},
    "not_broken_down": {
        "zh": "该指标无此细分,显示总体值",
        "en": "Not broken down this way; showing the overall value",
    },
    "tenure_title": {"zh": "从业年限分布(人)", "en": "Years on the job (people)"},
    "retention_title": {"zh": "按入职季度的留存曲线", "en": "Retention by starting quarter"},
    "stations_map": {"zh": "驿站分布(离线地图)", "en": "Stations (offline map)"},
    "stations_by_street": {"zh": "各街道驿站", "en": "Stations by street"},
    "street": {"zh": "街道", "en": "Street"},
    "count": {"zh": "数量", "en": "Count"},
    "sources": {"zh": "数据来源与新鲜度", "en": "Sources and freshness"},
    "quarantine": {"zh": "隔离行及原因", "en": "Quarantined rows by reason"},
    "held_corrections": {"zh": "暂缓的更正", "en": "Corrections on hold"},
    "held_correction": {
        "zh": "{file}:更正会使入库行从 {before} 变为 {after}({reason})。核对无误后运行 `{command}`",
        "en": "{file}: the correction would change the accepted rows from {before} to {after} "
        "({reason}). Once checked, run `{command}`",
    },
    "audit": {"zh": "最近一次审计", "en": "Latest audit"},
    "audit_passed": {
        "zh": "审计通过:{checks} 项检查,{warnings} 个警告",
        "en": "Audit passed: {checks} checks, {warnings} warnings",
    },
    "audit_failed": {
        "zh": "最近一次构建 {build_id} 未发布:{message}",
        "en": "The latest build {build_id} was not published: {message}",
    },
    "data_docs": {"zh": "审计报告(Data Docs)", "en": "Audit report (Data Docs)"},
    "published_build": {"zh": "发布版本", "en": "Published build"},
    "no_packs": {
        "zh": "还没有导出的月度指标包。运行 `xiaoge export --month YYYY-MM`。",
        "en": "No monthly pack yet. Run `xiaoge export --month YYYY-MM`.",
    },
    "pack_title": {
        "zh": "{month} {area} 第 {version} 版",
        "en": "{month} {area} version {version}",
    },
    "lineage": {"zh": "来源模型", "en": "Source model"},
    "local_mode_banner": {
        "zh": "本地演示模式:未配置登录,所有人以 {role} 角色查看(XIAOGE_DEMO_ROLE 可改)。正式部署请在 .streamlit/secrets.toml 中配置 [auth](见 docs/access.md)。",
        "en": "Local demo mode: no login is configured and everyone sees the {role} role's view (XIAOGE_DEMO_ROLE changes it). Configure [auth] in .streamlit/secrets.toml for real use (see docs/access.md).",
    },
    "login_needed": {
        "zh": "请先登录。只有权限文件中列出的用户可以查看。",
        "en": "Please log in. Only users listed in the access file can see the dashboards.",
    },
    "login": {"zh": "登录", "en": "Log in"},
    "logout": {"zh": "退出登录", "en": "Log out"},
    "no_access": {
        "zh": "用户 {user} 没有访问权限。请联系管理员把你加入权限文件。",
        "en": "User {user} has no access. Ask the administrator to add you to the access file.",
    },
    "refused_email_unverified": {
        "zh": "{user} 的邮箱未经身份提供方验证(email_verified 不为 true),不能据此登录。请联系管理员。",
        "en": "The identity provider has not verified the e-mail address of {user} (email_verified is not true), so it cannot be used to log in. Ask the administrator.",
    },
    "refused_no_email": {
        "zh": "登录信息中没有邮箱(email),无法确认身份({user})。请联系管理员。",
        "en": "The login carries no e-mail address, so it cannot say who you are ({user}). Ask the administrator.",
    },
    "refused_no_identity_claim": {
        "zh": "登录信息中没有权限文件指定的 {claim},无法确认身份({user})。请联系管理员。",
        "en": "The login carries no {claim}, the claim the access file names, so it cannot say who you are ({user}). Ask the administrator.",
    },
    "access_file_broken": {
        "zh": "权限文件有误,暂时无法访问:{error}",
        "en": "The access file is broken, so nobody can get in: {error}",
    },
    "signed_in_as": {"zh": "已登录:{user}({role})", "en": "Signed in: {user} ({role})"},
    # a figure the latest pack of the month corrected (its 更正说明)
    "revised_mark": {"zh": "（已更正）", "en": " (revised)"},
    "revised_help": {
        "zh": "已更正(第 {version} 版):{old} → {new};更正的落地文件:{files}",
        "en": "Revised (version {version}): {old} → {new}; corrected source files: {files}",
    },
    "revised_no_files": {"zh": "未找到", "en": "none found"},
    "suppressed_note": {
        "zh": "“<5”:人数少于 5 人,为保护个人信息不予显示。",
        "en": '"<5": fewer than 5 people, hidden to protect personal information.',
    },
    # the district map (dashboards/district_map.py)
    "map_heading": {"zh": "各区县地图", "en": "District map"},
    "map_title": {"zh": "{name}:各区县({month})", "en": "{name} by district ({month})"},
    "map_scale": {"zh": "{name}({unit})", "en": "{name} ({unit})"},
    "map_layer": {"zh": "地图显示", "en": "Map shows"},
    "map_layer_value": {"zh": "数值", "en": "Value"},
    "map_layer_status": {"zh": "三色状态", "en": "Status"},
    "map_no_status": {"zh": "暂无目标", "en": "No target"},
    "map_hint": {
        "zh": "点击区县可下钻到该区县;灰色为暂无数据或人数少于 5 人不予显示",
        "en": "Click a district to drill into it; grey: no figure, or fewer than 5 people (hidden)",
    },
}


def lang() -> str:
    return st.session_state.get("lang", "zh")


def t(key: str, **values: object) -> str:
    return TEXT[key][lang()].format(**values)


def pick(row, column: str) -> str:
    """A catalogue or seed row's `<column>_zh` / `<column>_en` value in the current language."""
    return (
        getattr(row, f"{column}_{lang()}")
        if hasattr(row, f"{column}_{lang()}")
        else row[f"{column}_{lang()}"]
    )
