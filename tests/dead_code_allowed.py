"""Names that the dead-code check (vulture, in tests/test_static.py) must not report: read by
frameworks or by name (pydantic's model_config and validators, typer's commands, LangGraph
state keys read with state.get, torch's forward, onnxruntime options), or data fields kept
in stored records. Anything else vulture finds in mardoc/ or bench/ is dead: delete it, or
use it. Not imported by anything; vulture reads it as a list of uses."""

# ruff: noqa
_._fmt
_.backend
_.forward
_.inter_op_num_threads
_.intra_op_num_threads
_.last_plan
_.rejected
best_judged
benchmark
cls
draft_pages
eval_report
eval_run
evidence_from
given_pages
has_text_layer
inspect
library_list
library_remove
model_config
models_install
models_list
pages_ranked
rejected
table_cells
table_draft
table_question
