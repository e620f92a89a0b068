"""The command line: typer commands over the API, option coercion, output files and
the guide."""
