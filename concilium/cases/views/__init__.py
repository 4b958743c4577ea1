"""Case pages: views/cases.py (the case workflow), views/queue.py (the coordinator's queue),
views/case_templates.py (network admins' case templates) and views/panel.py (the panel's work)."""
