"""Closing the loop: a follow-up case for every unhappy answer and complaint contact, worked in the
app (status, root cause, notes) and measured (on time, time to first contact, recovery).

rules: the settings and fixed lists; case_list: the cases and their state in the store; measures: the KPIs.
"""
from cxdata.followup.case_list import cases, change, history, may_work, overdue
from cxdata.followup.measures import FollowupKpis, kpis
from cxdata.followup.rules import KIND, FollowupSettingError, Settings, TransitionError

__all__ = ["KIND", "FollowupKpis", "FollowupSettingError", "Settings", "TransitionError", "cases", "change",  # untranslated: names
           "history", "kpis", "may_work", "overdue"]
