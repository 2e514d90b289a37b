# make demo  - set up if needed, then run the embedded demonstration
# make test  - set up if needed, then run the whole test suite (CI)
# make test-fast - the tests not marked slow (no training, no tool runs)
# make setup - create/refresh the environment (tools/setup_env.sh)
ifdef VIRTUAL_ENV
PYTHON ?= python
else ifdef CONDA_PREFIX
PYTHON ?= python
else
PYTHON ?= .venv/bin/python
endif
STAMP := .venv/.mmscratch-setup
SETUP_INPUTS := tools/setup_env.sh setup.py requirements/pinned.txt \
	requirements/runtime.txt requirements/mminstall.txt

.PHONY: setup demo test test-fast lint clean

setup: $(STAMP)

$(STAMP): $(SETUP_INPUTS)
	bash tools/setup_env.sh
	mkdir -p $(dir $(STAMP)) && touch $(STAMP)

demo: $(STAMP)
	$(PYTHON) tools/demo.py $(ARGS)

test: $(STAMP)
	$(PYTHON) -m pytest tests $(ARGS)

test-fast: $(STAMP)
	$(PYTHON) -m pytest tests -m "not slow" $(ARGS)

lint: $(STAMP)
	$(PYTHON) -m ruff check mmscratch tools tests configs setup.py

clean:
	rm -rf work_dirs results .pytest_cache
