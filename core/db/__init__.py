"""The persistence boundary: every SQL statement of Scrubdesk lives in this package.

One gateway module per aggregate owns its tables, maps rows by column name into frozen dataclasses, and
holds the rules that are about stored state ("not purged", "approved for the current analysis",
"current model") once. Everything above it (core workflows, models/, gui/) calls functions.

| module            | tables                                                     |
|-------------------|------------------------------------------------------------|
| ``messages``      | messages, message_subjects (reads for lists, views, jobs)  |
| ``imports``       | sources, quarantine, message inserts of an import          |
| ``spans``         | spans, analysis_state                                      |
| ``reviews``       | reviews                                                    |
| ``labels``        | label_set, message labels                                  |
| ``settings``      | settings (typed get/set)                                   |
| ``trained_models``| models, model_members, predictions                         |
| ``exports``       | exports, export_members                                    |
| ``audit``         | audit_log                                                  |
| ``roles``         | roles                                                      |
| ``consent``       | consent                                                    |
| ``erasures``      | erasures, erased_messages, and the erasure's deletes       |
| ``maintenance``   | whole-store work: purge, VACUUM, integrity checks          |

The connection itself (:class:`scrubdesk.core.store.Store`) and the migrations
(:mod:`scrubdesk.core.schema`) sit beside this package; an architecture test rejects SQL anywhere else.
"""
