# The benchpage suite (tools/bench_page_test.py): from tests/bench/results.json, a results.json
# kept from a real `make bench` run, the figures, tables, comparison and report.html are made
# again, and the page is loaded in headless Chromium (every image must load). No QEMU boot.
#   make benchpage-test
# tests/bench/results.json is replaced by copying build/bench/results.json after a `make bench`
# whose figures and page are worth keeping (README.md, Benchmarks).
BENCHPAGE_TEST = python3 tools/bench_page_test.py --fixture tests/bench/results.json \
	--plot-python $(PLOT_PYTHON)

benchpage-test:
	@$(BENCHPAGE_TEST)

.PHONY: benchpage-test
