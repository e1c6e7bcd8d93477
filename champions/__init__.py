"""Champion appointments and the dashboards champions review (to come)."""
