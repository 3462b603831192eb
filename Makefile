# The two Quickstart commands: `make demo` and `make test`. Both set everything up first.
# `make test-fast` is the development loop (no test marked slow).
VENV ?= .venv
DEMO_PDF := examples/shared-mime-info-spec.pdf
DEMO_Q := What is the default weight of a glob pattern, and what is the maximum?

.PHONY: setup demo test test-fast lint

setup:
	bash scripts/setup.sh

demo: setup
	$(VENV)/bin/mardoc ask "$(DEMO_Q)" --doc $(DEMO_PDF) --report demo-answer.html

test: setup
	bash scripts/test.sh

# the development loop: everything but the tests marked slow (real models, large documents,
# anything taking seconds), on both cores
test-fast: setup
	bash scripts/test.sh -m "not slow" -n 2

lint:
	$(VENV)/bin/ruff check mardoc tests bench
