"""Presentation shared by the dashboards, the exports and the CLI: value formatting and chart builders."""
