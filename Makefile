# The two commands of the README: `make demo` and `make test`. Both set up .venv themselves.
.PHONY: demo test unit integration sanity lint package molecule docs bench simulator clean

demo:
	scripts/demo.sh

test:
	tests/run

unit integration sanity lint package molecule:
	tests/run $@

# The docs site (offline once .venv-docs is installed): docs/build/html/index.html
docs:
	docs/build.sh

# Side-by-side benchmarks on the simulator; writes benchmarks/results/latest.{md,json}
bench:
	scripts/venv.sh .venv 3.12 requirements-test.txt
	.venv/bin/python -m pip install --quiet -r benchmarks/requirements.txt
	.venv/bin/python benchmarks/run.py

simulator:
	scripts/venv.sh .venv 3.12 requirements-test.txt
	.venv/bin/python tests/pdsim --port $${PORT:-8580}

clean:
	rm -rf .venv .venv-core2.16 .venv-molecule .venv-docs .venv-importer .venv-ee .venv-eda .cache tests/output docs/build
