"""CX initiatives: what the company does to move a KPI, whether it moved it, and what that is worth.

    plans(reader, today)            the initiatives (loaded, with the app's edits), status and checkpoints
    measure(reader, plan, today)    the effect on its KPI with a 95% interval and a verdict (effect.py)
    payback(reader, plan, effect)   the effect in money, on stated assumptions (payback.py)
    save(store, key, fields, who, seen)   an edit made in the app, kept in the store
    verdict_label, status_label, sentence  how they read (words.py)

docs/initiatives.md explains the methods and their limits.
"""
from cxdata.initiatives.effect import Effect, measure
from cxdata.initiatives.kpis import KPI_CHOICES, MEASURED, SCOPE_DIMENSIONS
from cxdata.initiatives.payback import Return, payback
from cxdata.initiatives.plans import (EDITABLE, KIND, Checkpoint, InitiativeError, Plan, checkpoint_key, mark, plans,
                                      save, status_of)
from cxdata.initiatives.words import (checkpoint_label, kpi_label, method_label, method_note, return_sentence, sentence,
                                      status_label, verdict_label)

__all__ = ["Effect", "measure", "MEASURED", "KPI_CHOICES", "SCOPE_DIMENSIONS", "EDITABLE", "mark", "Return", "payback", "KIND", "Checkpoint", "InitiativeError",  # untranslated: names
           "Plan", "checkpoint_key", "plans", "save", "status_of", "checkpoint_label", "kpi_label",
           "method_label", "method_note", "return_sentence", "sentence", "status_label", "verdict_label"]
