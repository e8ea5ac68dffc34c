.PHONY: setup run test bench lint docs

setup:            ## install uv, the locked environment, and start RabbitMQ if needed
	scripts/setup.sh

run:              ## all services in one process with the walkthrough (Ctrl-C to stop)
	scripts/run.sh

test:             ## the whole test suite
	scripts/test.sh

bench:            ## every benchmark; BENCH_ARGS=--json for JSON lines, --quick for a smoke run
	scripts/setup.sh
	.venv/bin/python -m bench $(BENCH_ARGS)

lint:
	.venv/bin/ruff check .

docs:             ## regenerate the event catalogue, the OpenAPI document and the index table
	.venv/bin/python -m ementor_contracts.catalogue write docs
	.venv/bin/ementor openapi write
	.venv/bin/python -m ementor.devtools.indexes write docs

check-docs:       ## fail when a generated document is stale
	.venv/bin/python -m ementor_contracts.catalogue check docs
	.venv/bin/python -m ementor.devtools.indexes check docs

screenshots:      ## regenerate the web app screenshots in docs/screenshots (runs the browser journeys)
	scripts/web-screenshots.sh
