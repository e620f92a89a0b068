"""The command line, over the same functions the API uses.

- `app.py`: the root (global options, `--version`) and `main`, which imports and
  registers only the command a run invokes;
- `commands/`: one module per command, each with `register(app)`;
- `params.py`: a scenario command's typer parameters, made from `ketacost.options`;
- `context.py`: what a run shares (language, config file, today, price book);
- `formats.py`: which format to write; `deliver.py`: where results leave;
  `output.py`: atomic files; `edge.py`: errors to one line and an exit code;
- `coerce.py`: option values without typer's pydantic adapters;
- `guide.py`: the interview behind `ketacost guide`; `complete.py`: shell completion.
"""
