"""One module per command; each has `register(app)`. `ketacost.cli.app` imports only
the one a run invokes (all of them for `--help`)."""
